"""Data validation with pandera: every failed check at once, as a report a person can read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

MAX_LISTED = 20  # failure cases listed per check in the report


class DataValidationError(Exception):
    """The data failed validation; `report` says which checks failed on which values."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


def check_frame(name: str, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[str]:
    """Validate `frame` against `schema` (all checks, lazily); one line per failure."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        lines = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
            values = [str(v) for v in group["failure_case"].head(MAX_LISTED)]
            rows = [str(i) for i in group["index"].head(MAX_LISTED) if pd.notna(i)]
            where = f" at rows {', '.join(rows)}" if rows else ""
            more = f" (+{len(group) - MAX_LISTED} more)" if len(group) > MAX_LISTED else ""
            lines.append(
                f"{name}: column {column or '(frame)'} failed {check}: "
                f"{', '.join(values)}{where}{more}"
            )
        return lines
    return []


def write_report(path: Path, failures: list[str], summary: dict[str, Any]) -> None:
    """Write the report (JSON) and raise DataValidationError when anything failed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    report = {"ok": not failures, "failures": failures, **summary}
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if failures:
        text = "\n".join(f"  - {line}" for line in failures)
        raise DataValidationError(
            f"data validation failed ({len(failures)} checks; report: {path}):\n{text}"
        )
