"""Data drift: compare recent inputs and outputs with the reference data using Evidently.

`DataDriftPreset` tests each monitored column (Kolmogorov-Smirnov, chi-square, Wasserstein …
chosen by Evidently from the column type and the sample size); `data_drift_share` is the share
of columns that drifted. The result goes three ways: Evidently's HTML report, a Prometheus text
file (`data_drift_share` and friends, for a textfile collector or a Pushgateway), and a JSON
summary that the service exports on its own /metrics.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

MIN_ROWS = 30  # fewer rows than this on either side: no verdict


class DriftInputError(ValueError):
    """The data cannot be compared (missing, empty, too small, no common columns)."""


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    method: str
    score: float
    threshold: float
    drifted: bool


@dataclass(frozen=True)
class DriftResult:
    share: float
    threshold: float
    reference_rows: int
    current_rows: int
    columns: list[ColumnDrift]
    checked_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def drifted_columns(self) -> list[ColumnDrift]:
        return [c for c in self.columns if c.drifted]

    @property
    def above_threshold(self) -> bool:
        """Same comparison as the DataDriftDetected alert: `data_drift_share > threshold`."""
        return self.share > self.threshold

    def summary(self) -> str:
        verdict = "DRIFT" if self.above_threshold else "no drift"
        lines = [
            f"{verdict}: {len(self.drifted_columns)} of {len(self.columns)} columns drifted "
            f"(data_drift_share={self.share:.3f}, threshold {self.threshold}); "
            f"{self.current_rows} current rows against {self.reference_rows} reference rows"
        ]
        for c in sorted(self.columns, key=lambda c: (not c.drifted, c.column)):
            mark = "drifted" if c.drifted else "ok"
            lines.append(
                f"  {mark:<8} {c.column}: {c.method} = {c.score:.4g} (threshold {c.threshold:g})"
            )
        return "\n".join(lines)

    def to_json(self) -> str:
        data = asdict(self)
        data["drifted"] = self.above_threshold
        return json.dumps(data, indent=2)


def feature_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows))


def compare(
    reference: pd.DataFrame, current: pd.DataFrame, threshold: float
) -> tuple[Any, DriftResult]:
    """Run Evidently's data drift preset; returns its snapshot (for the HTML) and the result."""
    columns = sorted(set(reference.columns) & set(current.columns))
    if not columns:
        raise DriftInputError(
            "the reference and the current data have no column in common: "
            f"reference {sorted(reference.columns)}, current {sorted(current.columns)}"
        )
    for name, frame in (("reference", reference), ("current", current)):
        if len(frame) < MIN_ROWS:
            raise DriftInputError(
                f"the {name} data has {len(frame)} rows; at least {MIN_ROWS} are needed for a "
                "meaningful drift test"
            )
    # Imported here: Evidently takes seconds to import and only this command needs it.
    from evidently import Report
    from evidently.presets import DataDriftPreset

    report = Report([DataDriftPreset(columns=columns, drift_share=threshold)], include_tests=True)
    snapshot = report.run(current_data=current[columns], reference_data=reference[columns])
    return snapshot, _result(snapshot.dict(), threshold, len(reference), len(current))


def _result(
    data: dict[str, Any], threshold: float, reference_rows: int, current_rows: int
) -> DriftResult:
    """Read the snapshot's plain-data form: the share from DriftedColumnsCount, each column's
    score and verdict from its ValueDrift metric and test."""
    failed = {
        t["metric_config"]["metric_id"]
        for t in data["tests"]
        if str(getattr(t["status"], "value", t["status"])) == "FAIL"
    }
    share: float | None = None
    columns: list[ColumnDrift] = []
    for metric in data["metrics"]:
        config = metric["config"]
        kind = config["type"].rsplit(":", 1)[-1]
        if kind == "DriftedColumnsCount":
            share = float(metric["value"]["share"])
        elif kind == "ValueDrift":
            columns.append(
                ColumnDrift(
                    column=str(config["column"]),
                    method=str(config["method"]),
                    score=float(metric["value"]),
                    threshold=float(config["threshold"]),
                    drifted=metric["id"] in failed,
                )
            )
    if share is None or math.isnan(share):
        raise DriftInputError("Evidently returned no drift share (is every column empty?)")
    return DriftResult(
        share=share,
        threshold=threshold,
        reference_rows=reference_rows,
        current_rows=current_rows,
        columns=columns,
    )


def write_prometheus(result: DriftResult, path: Path) -> None:
    """The drift gauges in Prometheus text format (node-exporter textfile collector or
    `curl --data-binary @file <pushgateway>/metrics/job/<job>`)."""
    registry = CollectorRegistry()
    Gauge("data_drift_share", "Share of monitored columns that drifted.", registry=registry).set(
        result.share
    )
    Gauge(
        "data_drift_threshold", "data_drift_share above which drift alerts.", registry=registry
    ).set(result.threshold)
    counts = Gauge(
        "data_drift_columns", "Monitored columns, by drift state.", ["state"], registry=registry
    )
    counts.labels("drifted").set(len(result.drifted_columns))
    counts.labels("stable").set(len(result.columns) - len(result.drifted_columns))
    Gauge(
        "data_drift_last_run_timestamp_seconds",
        "When the drift check ran (Unix time).",
        registry=registry,
    ).set(datetime.fromisoformat(result.checked_at).timestamp())
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)  # writes a temporary file, then renames it


def load_result(path: Path) -> DriftResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("drifted", None)
    data["columns"] = [ColumnDrift(**c) for c in data["columns"]]
    return DriftResult(**data)
