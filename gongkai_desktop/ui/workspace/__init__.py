"""The open workspace: session, undo commands, first run, open/new/backup actions."""
