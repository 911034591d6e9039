"""The plan tree, its filter, the measure panel (record form, history) and the overview page."""
