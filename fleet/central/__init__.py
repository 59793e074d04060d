"""The central side: the primary host application keeping every site's values, alarms and history."""
