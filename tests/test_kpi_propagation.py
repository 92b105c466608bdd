"""One answer, every consumer: changing `latency_p95_ms` through Copier changes all of them.

A project is rendered with the defaults, then `copier recopy --data latency_p95_ms=432` (the
real engine, answers read back from the project's answers file) re-renders it. Every artefact
that depends on the latency objective must then carry 0.432 s, and none may keep the old value.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from copier.errors import DirtyLocalWarning

from rendering import read_answers, render

NEW_MS = 432


def _recopy(project: Path, data: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)
        copier.run_recopy(
            str(project),
            data=data,
            defaults=True,
            overwrite=True,
            unsafe=True,
            vcs_ref="HEAD",
            quiet=True,
        )


def _alert_expr(rules: dict[str, Any], alert: str) -> str:
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alert:
                return str(rule["expr"])
    raise AssertionError(f"no alert {alert}")


def _consumers(project: Path) -> dict[str, str]:
    """Where the objective appears, as text, by consumer."""
    package = read_answers(project)["package_name"]
    slug = read_answers(project)["project_slug"]
    chart = project / "deploy" / "helm" / slug
    rules = yaml.safe_load((project / "observability/prometheus/rules.yml").read_text())
    dashboard = json.loads((project / f"observability/grafana/dashboards/{slug}.json").read_text())
    latency_panels = [
        panel
        for panel in dashboard["panels"]
        if "p95" in panel.get("title", "")
        and "http_request_duration_seconds" in json.dumps(panel.get("targets", []))
    ]
    latency_thresholds = [
        step["value"]
        for panel in latency_panels
        for step in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
        if step.get("value") is not None
    ]
    values = yaml.safe_load((chart / "values.yaml").read_text())
    kpis = yaml.safe_load((project / "src" / package / "kpis.yaml").read_text())
    return {
        "kpis.yaml": str(kpis["latency_p95_ms"]),
        "alert rule": _alert_expr(rules, "LatencyP95AboveObjective"),
        "chart PrometheusRule": (chart / "templates" / "prometheusrule.yaml").read_text(),
        "dashboard thresholds": json.dumps(latency_thresholds),
        "canary analysis values": json.dumps(values, sort_keys=True),
        "docs/kpis.md": (project / "docs" / "kpis.md").read_text(),
    }


@pytest.mark.slow
def test_latency_answer_reaches_every_consumer(tmp_path: Path) -> None:
    project = render(tmp_path / "project", {"hosting": "kubernetes"})
    before = _consumers(project)
    old_ms = int(before["kpis.yaml"])
    assert old_ms != NEW_MS

    _recopy(project, {"latency_p95_ms": NEW_MS})

    assert read_answers(project)["latency_p95_ms"] == NEW_MS
    after = _consumers(project)
    expected = {
        "kpis.yaml": str(NEW_MS),
        "alert rule": f"> {NEW_MS / 1000}",
        "chart PrometheusRule": f"> {NEW_MS / 1000}",
        "dashboard thresholds": f"{NEW_MS / 1000}",
        "canary analysis values": f'"maxLatencyP95Seconds": {NEW_MS / 1000}',
        "docs/kpis.md": f"≤ {NEW_MS} ms",
    }
    for consumer, text in expected.items():
        assert text in after[consumer], f"{consumer} does not carry the new objective"
    old_seconds = f"> {old_ms / 1000}"
    for consumer in ("alert rule", "chart PrometheusRule"):
        assert old_seconds not in after[consumer], f"{consumer} still carries {old_ms} ms"
    assert f"≤ {old_ms} ms" not in after["docs/kpis.md"]
