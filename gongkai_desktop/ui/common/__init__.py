"""Shared widgets and infrastructure: operation runner, error boxes, geometry, style, settings."""
