"""The twin's PLC program: scan cycle, manual commands, interlocks, sequences and fault logic."""
