"""Fill the "latest run" section of docs/model-card.md and docs/data-card.md.

The cards are rendered from the answers; the pipeline rewrites only the part between the
markers, so hand-written text around it stays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from .registry import now

MODEL_CARD = Path("docs/model-card.md")
DATA_CARD = Path("docs/data-card.md")
START = "<!-- pipeline:latest-run:start -->"
END = "<!-- pipeline:latest-run:end -->"


def replace_section(text: str, body: str) -> str:
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the card has no {START} ... {END} section")
    return f"{head}{START}\n{body.strip()}\n{END}{tail}"


def _write(path: Path, body: str) -> None:
    if path.is_file():
        path.write_text(replace_section(path.read_text(encoding="utf-8"), body), encoding="utf-8")


def update(
    *,
    version: str,
    promoted: bool,
    alias: str,
    metrics: Mapping[str, float],
    data_version: str,
    report: str,
    validation_report: Path,
) -> None:
    outcome = f"promoted to `{alias}`" if promoted else "refused by the gate (not serving)"
    metric_rows = "\n".join(f"| {k} | {v:.4g} |" for k, v in sorted(metrics.items()))
    _write(
        MODEL_CARD,
        f"Latest pipeline run ({now()}): registered version **v{version}**, {outcome}.\n\n"
        f"| metric | value |\n|---|---|\n{metric_rows}\n\n"
        f"Data version (md5 of the ingested snapshot): `{data_version}`.\n\n"
        "<details><summary>Gate report</summary>\n\n"
        f"{report}\n</details>",
    )
    summary = (
        json.loads(validation_report.read_text(encoding="utf-8"))
        if validation_report.is_file()
        else {}
    )
    extra = ", ".join(f"{k}: {v}" for k, v in summary.items() if k not in ("ok", "failures"))
    _write(
        DATA_CARD,
        f"Latest pipeline run ({now()}): data version `{data_version}`, used by model "
        f"version v{version}.\n\nValidation: "
        f"{'passed' if summary.get('ok') else f'see {validation_report}'}"
        f"{'; ' + extra if extra else ''}.",
    )
