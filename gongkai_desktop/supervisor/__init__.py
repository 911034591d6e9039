"""The supervising office's side of the data: what it imported from units; no Qt here.

- ``store.SupervisorView``: the read API over the imported tables (records, evidence,
  audit, bundles, ``sup_blobs``); ``bundle.import_copy`` is the only writer.
- ``consolidation.consolidate``: the units × measures matrix with rollups, which the
  window, ``xlsx.consolidation`` (the workbook) and ``report.consolidated`` (the PDF)
  present.

The bundle file format and its import stay in ``bundle``.
"""
