"""Proactive alarm notifications to Slack and Teams: sources, messages, delivery, and the running part."""
