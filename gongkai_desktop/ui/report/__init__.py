"""The self-inspection report: editor, preview, signing identity, verifying a signed PDF."""
