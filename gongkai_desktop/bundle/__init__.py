"""Email bundles between units and the supervising office; no Qt here.

- The unit's side: ``export`` (with ``shrink`` and ``split``) writes a signed
  ``.gkbundle``; ``receipt.import_receipt`` records the office's signed receipt,
  signed with the office key the unit accepted explicitly (``office_key``).
- Any workspace (the office's main action): ``importer`` (``preview_import`` →
  ``apply_import``, or ``import_bundles`` for many files), built on
  ``open_untrusted`` + ``verify`` (nothing unverified is used) and ``trust``
  (pinned certificates); ``receipt.write_receipt``.
- Consolidation: ``supervisor.SupervisorView`` (read API over imported data),
  ``consolidation.consolidate`` (the units × measures matrix),
  ``consolidation_xlsx`` (the workbook).

The bundle file layout is in ``format``, the manifest and hashes in ``manifest``.
Modules are imported where used (the package import stays cheap).
"""
