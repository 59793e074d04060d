"""Plant overview page: schematic, alarms and trends."""
