"""`pipeline promote`: track the run in MLflow, register the candidate, and move the alias only
if the gate passes. A refusal is a non-zero exit with a report (printed and written to
promotion-report.md, logged with the run), never just a log line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import mlflow

from ..kpis import KPIS
from ..settings import Settings
from . import cards
from .gate import GateDecision, decide
from .params import PARAMS_FILE, PipelineParams
from .registry import CHAMPION, Registry, now
from .workspace import Workspace

DVC_LOCK = Path("dvc.lock")


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def render_report(
    *,
    model: str,
    version: str,
    decision: GateDecision,
    quality_label: str,
    champion: str | None,
    alias: str,
    data_version: str,
    run_id: str,
) -> str:
    verdict = (
        f"PROMOTED: {model} v{version} is now `{alias}`."
        if decision.passed
        else f"REFUSED: {model} v{version} was registered but NOT promoted "
        f"({len(decision.failed)} check(s) failed)."
    )
    against = f"KPI targets and champion v{champion}" if champion else "KPI targets (no champion)"
    lines = [
        f"# Promotion report: {model} v{version}",
        "",
        verdict,
        "",
        f"- date: {now()}",
        f"- compared with: {against}",
        f"- data version (md5 of the ingested snapshot): {data_version}",
        f"- MLflow run: {run_id}",
        "",
        decision.table(quality_label),
        "",
    ]
    if not decision.passed:
        lines += ["Failed checks:"]
        for check in decision.failed:
            sign = ">=" if check.higher_is_better else "<="
            lines.append(
                f"- {check.metric} = {check.candidate:.4g}, needs {sign} {check.limit:.4g} "
                f"({check.basis})"
            )
        lines.append("")
    return "\n".join(lines)


def promote(
    ws: Workspace,
    params: PipelineParams,
    settings: Settings,
    log_model: Callable[[Workspace], str],
    quality_label: str,
) -> int:
    metrics: dict[str, float] = json.loads(ws.metrics.read_text(encoding="utf-8"))
    registry = Registry(settings.mlflow_tracking_uri, settings.registered_model_name)
    champion = registry.by_alias(CHAMPION)
    champion_metrics = registry.metrics_of(champion) if champion is not None else None
    decision = decide(
        metrics,
        KPIS,
        params.gate,
        champion_metrics,
        f"champion v{champion.version}" if champion is not None else CHAMPION,
    )
    alias = params.promote_to if champion is not None else CHAMPION
    data_version = ws.data_version()
    gate = "passed" if decision.passed else "refused"
    experiment = f"{settings.registered_model_name}-pipeline"
    with registry.run(experiment, run_name=f"candidate-{data_version[:8]}") as run_id:
        mlflow.log_params(flatten(params.model_dump(mode="json")))
        mlflow.log_metrics(metrics)
        mlflow.set_tags({"data_version": data_version, "gate": gate})
        for path in (ws.validation_report, ws.metrics, ws.evaluation, DVC_LOCK, PARAMS_FILE):
            if path.is_file():
                mlflow.log_artifact(str(path), artifact_path="pipeline")
        model_uri = log_model(ws)
        version = registry.register(
            model_uri,
            run_id,
            tags={"data_version": data_version, "gate": gate},
            description=f"{quality_label}={metrics['quality']:.4f}; gate {gate}; "
            f"data {data_version}",
        )
        report = render_report(
            model=settings.registered_model_name,
            version=str(version.version),
            decision=decision,
            quality_label=quality_label,
            champion=champion.version if champion is not None else None,
            alias=alias,
            data_version=data_version,
            run_id=run_id,
        )
        mlflow.log_text(report, "pipeline/promotion-report.md")
    ws.promotion_report.write_text(report, encoding="utf-8")
    if decision.passed:
        registry.promote(str(version.version), alias)
    cards.update(
        version=str(version.version),
        promoted=decision.passed,
        alias=alias,
        metrics=metrics,
        data_version=data_version,
        report=report,
        validation_report=ws.validation_report,
    )
    print(report, file=sys.stdout if decision.passed else sys.stderr)
    return 0 if decision.passed else 1
