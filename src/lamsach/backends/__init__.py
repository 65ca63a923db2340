"""Backends: batch engines and the system of record."""
