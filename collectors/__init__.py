"""Collectors: poll devices, decode, stamp time and quality, publish sample batches."""
