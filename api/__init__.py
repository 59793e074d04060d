"""Lockpilot REST API: an app factory with token auth, roles and per-client scoping."""
