"""The program's own file kinds, named once: each suffix here, its meaning in the module
that reads and writes it (storage, bundle.format, bundle.receipt, review.reviewfile,
delegation.taskfile)."""

from __future__ import annotations

WORKSPACE = ".gkws"  # a unit's (or office's) workspace: SQLite
BUNDLE = ".gkbundle"  # a unit's signed records and evidence, for its supervising office
RECEIPT = ".gkreceipt"  # the office's signed "received" for one bundle
REVIEW = ".gkreview"  # the office's signed verdicts: returned measures to rectify
TASK = ".gktask"  # a unit's signed task list for one of its own offices
XLSX = ".xlsx"  # Excel: plans, checklists and returns from offices without the program

# What the window opens when the program is started with a file (a file association).
EXCHANGE = (BUNDLE, RECEIPT, REVIEW, TASK)
WINDOW = (WORKSPACE, *EXCHANGE)
