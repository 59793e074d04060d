"""A waterway of locks over MQTT Sparkplug B: each site publishes its lock (`fleet.site`), one central
primary host application watches them all (`fleet.central`); `fleet.sparkplug` is the wire format both share.

Layer: above `rules/` (the site listens to the rules runner) and `storage/` (the central writes through the
history writer and the Redis current store), below `tools/` (the fleet tools read what the central stored).
"""
