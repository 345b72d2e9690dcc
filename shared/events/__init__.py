"""The public contract: pydantic models are the single source; AsyncAPI is generated from them."""
