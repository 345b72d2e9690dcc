"""The API's routes, one module per group of views; `entrypoints/api.py` puts them together."""
