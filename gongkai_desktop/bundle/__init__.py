"""Email bundles between units and the supervising office; no Qt here.

- The unit's side: ``export`` (with ``shrink`` and ``split``) writes a signed
  ``.gkbundle``; ``receipt.import_receipt`` records the office's signed receipt,
  signed with the office key the unit accepted explicitly (``office_key``).
- Any workspace (the office's main action): ``importer`` (``preview_import`` →
  ``apply_import``, ``apply_previews`` for a previewed batch, or ``import_bundles`` for
  many files), built on ``open_untrusted`` + ``verify`` (nothing unverified is used),
  ``unit_identity`` (a unit the office knows, under its own id) and ``trust`` (keys
  accepted explicitly, one unit per key); ``receipt.write_receipt``.
- What an import writes is read through ``gongkai_desktop.supervisor`` (the office's
  store and consolidation, its own package).

The bundle file layout is in ``format``, the manifest and hashes in ``manifest``, the
checked reading of its rows in ``decode``.
Modules are imported where used (the package import stays cheap).
"""
