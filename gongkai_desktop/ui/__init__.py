"""The Qt window. Everything here calls the core; nothing here holds domain logic."""
