"""Sparkplug B 3.0 wire format: topics, metric names, payloads (the Eclipse Tahu protobuf via pysparkplug)."""
