"""Excel exchange: the checklist workbook for units without the app, and plan import.

- ``export_checklist`` / ``read_checklist`` / ``apply_checklist``: a unit's checklist
  out to .xlsx and back (rows matched by a hidden key, so sorting is harmless).
- ``read_plan_workbook``: a new task breakdown (任务分工) table → ``Plan`` for review.
- ``safety.open_workbook``: every workbook from outside goes through it.
"""

from __future__ import annotations

from gongkai_desktop.xlsx.checklist_export import export_checklist, exported_sentence
from gongkai_desktop.xlsx.checklist_import import (
    ChecklistImport,
    RecordChange,
    apply_checklist,
    read_checklist,
)
from gongkai_desktop.xlsx.plan_import import PlanImport, read_plan_workbook
from gongkai_desktop.xlsx.problems import ImportProblem
from gongkai_desktop.xlsx.safety import Limits, open_workbook

__all__ = [
    "ChecklistImport",
    "ImportProblem",
    "Limits",
    "PlanImport",
    "RecordChange",
    "apply_checklist",
    "export_checklist",
    "exported_sentence",
    "open_workbook",
    "read_checklist",
    "read_plan_workbook",
]
