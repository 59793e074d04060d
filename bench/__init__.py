"""Benchmarks behind `lockpilot bench ...`: scripts that print figures against a baseline of the same run."""
