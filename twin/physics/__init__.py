"""Physical model of the lock: water, culvert valves, gates, pump and hydraulic power unit, surroundings."""
