"""Excel: checklist export, plan import and its change preview."""
