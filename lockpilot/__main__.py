"""`python -m lockpilot` runs the CLI."""

from lockpilot.cli import main

main()
