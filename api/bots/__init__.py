"""Slack and Teams bots over the same copilot."""
