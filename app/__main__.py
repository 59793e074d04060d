"""`python -m app` runs the `lockpilot` CLI."""

from app.cli.main import main

main()
