"""Evidence files of a measure: the list, adding and removing, the viewer."""
