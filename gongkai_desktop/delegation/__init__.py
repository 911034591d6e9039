"""Delegation to the unit's own offices (下级单位): issue #14.

A workspace is at once a unit that reports up and a supervisor of its own offices, to
any depth. The window, the command line and the tests call these functions; see
docs/DELEGATION.md for the API, the ``.gktask`` format and the trust rules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# ``contributions`` is also the name of its module: imported here so the function, not the
# module, is the package's attribute.
from gongkai_desktop.delegation.contributions import (
    Contribution,
    ContributionEvidence,
    contributions,
)
from gongkai_desktop.storage.rollup_flags import pending_measures

# The other names below are imported on first use, not with the package: the window's plan
# tree needs only ``pending_measures`` at start-up, and importing all of delegation
# (office keys, certificates: cryptography) cost ~100 ms before its first paint (#15).
if TYPE_CHECKING:
    from gongkai_desktop.delegation.assignment import (
        Assignment,
        OfficeRole,
        assign,
        assignments,
        days_before,
        set_days_before,
        unassign,
    )
    from gongkai_desktop.delegation.office_init import init_from_task, parent_of
    from gongkai_desktop.delegation.offices import (
        Office,
        add_offices,
        find_office,
        import_offices,
        list_offices,
        read_office_names,
    )
    from gongkai_desktop.delegation.returns import (
        ReturnOutcome,
        ReturnResult,
        import_office_bundle,
        import_office_checklist,
        import_returns,
    )
    from gongkai_desktop.delegation.rollup import (
        EvidenceToAdd,
        RollupProposal,
        apply_rollup,
        pending_rollups,
        propose_rollup,
    )
    from gongkai_desktop.delegation.taskfile import TaskFile, read_task, write_task

_MODULES = {
    "Assignment": "assignment",
    "EvidenceToAdd": "rollup",
    "Office": "offices",
    "OfficeRole": "assignment",
    "ReturnOutcome": "returns",
    "ReturnResult": "returns",
    "RollupProposal": "rollup",
    "TaskFile": "taskfile",
    "add_offices": "offices",
    "apply_rollup": "rollup",
    "assign": "assignment",
    "assignments": "assignment",
    "days_before": "assignment",
    "find_office": "offices",
    "import_office_bundle": "returns",
    "import_office_checklist": "returns",
    "import_offices": "offices",
    "import_returns": "returns",
    "init_from_task": "office_init",
    "list_offices": "offices",
    "parent_of": "office_init",
    "pending_rollups": "rollup",
    "propose_rollup": "rollup",
    "read_office_names": "offices",
    "read_task": "taskfile",
    "set_days_before": "assignment",
    "unassign": "assignment",
    "write_task": "taskfile",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Assignment",
    "Contribution",
    "ContributionEvidence",
    "EvidenceToAdd",
    "Office",
    "OfficeRole",
    "ReturnOutcome",
    "ReturnResult",
    "RollupProposal",
    "TaskFile",
    "add_offices",
    "apply_rollup",
    "assign",
    "assignments",
    "contributions",
    "days_before",
    "find_office",
    "import_office_bundle",
    "import_office_checklist",
    "import_offices",
    "import_returns",
    "init_from_task",
    "list_offices",
    "parent_of",
    "pending_measures",
    "pending_rollups",
    "propose_rollup",
    "read_office_names",
    "read_task",
    "set_days_before",
    "unassign",
    "write_task",
]
