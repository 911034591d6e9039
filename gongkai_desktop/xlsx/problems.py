"""One problem found in a workbook, located so a person can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImportProblem:
    sheet: str  # the sheet's name as shown on its tab
    row: int  # 1-based, as Excel numbers rows; 0 when not tied to a row
    column: str  # the column's header ("完成状态"); "" when not tied to a column
    message: str  # a full Chinese sentence naming row and column

    def __str__(self) -> str:
        return self.message
