"""The site side: one Sparkplug edge node per lock, publishing its tags and alarms, storing while away."""
