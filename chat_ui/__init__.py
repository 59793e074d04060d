"""The operators' chat (Chainlit): login with roles, streaming answers, steps, charts, alarms, commands."""
