"""The supervising office's consolidation of all units' bundles."""
