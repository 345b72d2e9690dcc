"""Benchmarks of the services against a raw aiokafka + COPY baseline (`make bench`)."""
