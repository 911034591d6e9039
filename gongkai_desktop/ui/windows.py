"""Every top-level window and dialog of the program, by name.

The name is the one the window passes to ``geometry.manage`` (its saved size and
position are kept under it). tests/test_ui_fit.py opens each of them on a 1280×680
screen and checks that it fits with its buttons visible, and checks that every
QDialog/QMainWindow subclass in ``gongkai_desktop.ui`` is listed here: a new dialog
cannot be forgotten. Qt's own dialogs the program opens (message boxes, questions)
are listed too, under the class that shows them.
"""

from __future__ import annotations

# name -> "module:Class" (imported only by whoever needs the class)
WINDOWS: dict[str, str] = {
    "main_window": "gongkai_desktop.ui.main_window:MainWindow",
    "first_run": "gongkai_desktop.ui.workspace.first_run:FirstRunDialog",
    "report_editor": "gongkai_desktop.ui.report.report_editor:ReportEditor",
    "report_preview": "gongkai_desktop.ui.report.report_preview:ReportPreviewDialog",
    "evidence_preview": "gongkai_desktop.ui.evidence.preview:EvidenceViewer",
    "link": "gongkai_desktop.ui.evidence.link_dialog:LinkDialog",
    "create_identity": "gongkai_desktop.ui.report.signing_dialogs:CreateIdentityDialog",
    "import_identity": "gongkai_desktop.ui.report.signing_dialogs:ImportIdentityDialog",
    "signing_certificate": "gongkai_desktop.ui.report.signing_dialogs:SigningCertificateDialog",
    "change_preview": "gongkai_desktop.ui.xlsx.change_preview:ChangePreviewDialog",
    "plan_info": "gongkai_desktop.ui.xlsx.plan_import_dialog:PlanInfoDialog",
    "plan_import": "gongkai_desktop.ui.xlsx.plan_import_dialog:PlanImportDialog",
    "bundle_export": "gongkai_desktop.ui.bundles.bundle_export_dialog:BundleExportDialog",
    "export_history": "gongkai_desktop.ui.bundles.bundle_export_dialog:ExportHistoryDialog",
    "bundle_import": "gongkai_desktop.ui.bundles.bundle_import_dialog:BundleImportDialog",
    "write_receipt": "gongkai_desktop.ui.bundles.receipt_dialog:WriteReceiptDialog",
    "consolidation": "gongkai_desktop.ui.supervisor.consolidation_view:ConsolidationWindow",
    "unit_record": "gongkai_desktop.ui.supervisor.unit_record_dialog:UnitRecordDialog",
    "key_acceptance": "gongkai_desktop.ui.bundles.key_acceptance_dialog:KeyAcceptanceDialog",
    "review": "gongkai_desktop.ui.review.review_dialog:ReviewDialog",
    "ledger": "gongkai_desktop.ui.review.review_banner:LedgerDialog",
    "verify_report": "gongkai_desktop.ui.report.verify_dialog:VerifyReportDialog",
    "help": "gongkai_desktop.ui.help.help_window:HelpWindow",
    "office_key": "gongkai_desktop.ui.bundles.office_key_dialog:OfficeKeyDialog",
    "delegation_offices": "gongkai_desktop.ui.delegation.offices_dialog:OfficesDialog",
    "delegation_assign": "gongkai_desktop.ui.delegation.assign_dialog:AssignDialog",
    "delegation_task_init": "gongkai_desktop.ui.delegation.task_init_dialog:TaskInitDialog",
    "delegation_rollup": "gongkai_desktop.ui.delegation.rollup_dialog:RollupDialog",
    "delegation_progress":
        "gongkai_desktop.ui.delegation.progress_window:DelegationProgressWindow",
    # Qt's own boxes, as the program shows them (they size themselves to their text).
    "message": "PySide6.QtWidgets:QMessageBox",
}


def class_path(name: str) -> str:
    return WINDOWS[name]


def load(name: str) -> type:
    """The class of window ``name`` (imports its module)."""
    import importlib

    module, _, cls = WINDOWS[name].partition(":")
    found: type = getattr(importlib.import_module(module), cls)
    return found
