"""Data bundles (.gkbundle): export, import, receipts, the office key."""
