"""Rules: fault logic as data, ISA-18.2 alarms, sequence checks, anomalies and incident correlation."""
