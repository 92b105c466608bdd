"""Observability of generated projects (issue 4, OBS slice): alert rules, their promtool unit
tests, Alertmanager routing, the Grafana dashboard, the chart's PrometheusRule and runbooks.

* ``test_check_alerts_passes`` (slow): one render per use case (with compliance, A/B test, hosting
  and CI variations) runs the project's own ``make check-alerts``: promtool check + unit tests,
  amtool config check + routing test, dashboard JSON. Needs ``promtool`` and ``amtool`` on PATH
  (Debian: ``apt-get install prometheus prometheus-alertmanager``).
* ``test_unit_tests_catch_a_wrong_threshold`` (slow): every alert's threshold, doubled or halved in
  rules.yml, makes the project's promtool tests fail -- the tests pin the thresholds down.
* The fast tests read the rendered files: the KPI answers reach every artefact, the chart's
  PrometheusRule is the same rule set as rules.yml, every alert is complete and has a runbook.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from rendering import clean_environment, derive_profile, read_answers, render, run

CHECK_RENDERS: dict[str, dict[str, Any]] = {
    "rag-k8s-gdpr": {"use_case": "rag_assistant", "hosting": "kubernetes", "compliance": ["gdpr"]},
    "llm-gpu-dora-nis2-ab": {
        "use_case": "llm_service",
        "llm_provider": "anthropic",
        "hosting": "gpu_on_demand",
        "cloud": "gcp",
        "compliance": ["dora", "nis2"],
        "ab_testing": True,
        "latency_p95_ms": 1234,
        "availability_slo": 93.0,  # low SLO: burn thresholds capped at 50 % of requests
    },
    "tab-serverless-none-gitlab": {
        "use_case": "tabular_ml",
        "hosting": "serverless",
        "cloud": "azure",
        "compliance": [],
        "ci_provider": "gitlab_ci",
        "availability_slo": 99.99,
        "cost_per_1k_requests_usd": 0.0025,
        "quality_target": 0.955,
    },
}
KPI_ANSWERS: dict[str, Any] = {
    "use_case": "llm_service",
    "hosting": "kubernetes",
    "latency_p95_ms": 432,
    "availability_slo": 99.9,
    "cost_per_1k_requests_usd": 3.21,
    "quality_target": 0.77,
}
RULES = Path("observability/prometheus/rules.yml")
TESTS = Path("observability/prometheus/tests")
NEEDS_PROMTOOL = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool is not installed (apt-get install prometheus); .ci/run installs it",
)


def _alerts(rules: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}


def _thresholds(expr: str) -> list[float]:
    return [float(n) for n in re.findall(r"[<>] ([0-9.e+-]+)", expr)]


def _chart_rules(project: Path) -> dict[str, Any]:
    """The PrometheusRule template's spec as Prometheus would load it once Helm has rendered it."""
    (template,) = (project / "deploy" / "helm").glob("*/templates/prometheusrule.yaml")
    text = template.read_text(encoding="utf-8")
    assert text.startswith("{{- if .Values.monitoring.enabled }}")
    spec = text.split("\nspec:\n", 1)[1].rsplit("{{- end }}", 1)[0]
    unescaped = spec.replace("{{`{{", "{{").replace("}}`}}", "}}")
    assert "{{" not in unescaped.replace("{{ $value", "")  # nothing else for Helm to expand
    rules: dict[str, Any] = yaml.safe_load(unescaped)
    return rules


@pytest.fixture(scope="module")
def kpi_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("obs") / "project", KPI_ANSWERS)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Render each of CHECK_RENDERS once per module, on first use."""
    root = tmp_path_factory.mktemp("obs-renders")

    @cache
    def project(name: str) -> Path:
        return render(root / name, CHECK_RENDERS[name])

    return project


# --------------------------------------------------------------------------- fast
@pytest.mark.parametrize(
    ("availability", "page", "ticket"),
    [
        (99.9, [0.0144, 0.006], [0.003, 0.001]),
        (99.5, [0.072, 0.03], [0.015, 0.005]),
        (93.0, [0.5, 0.42], [0.21, 0.07]),  # 14.4 x 7 % > 100 %: capped at half the requests
        (99.99999, [1.44e-06, 6e-07], [3e-07, 1e-07]),  # a tiny budget is still a budget
    ],
)
def test_burn_rate_thresholds(availability: float, page: list[float], ticket: list[float]) -> None:
    obs = derive_profile({"availability_slo": availability})["observability"]
    fast, slow = obs["burn_rates"]
    assert (fast["alert"], fast["severity"]) == ("ErrorBudgetBurnFast", "page")
    assert (slow["alert"], slow["severity"]) == ("ErrorBudgetBurnSlow", "ticket")
    assert [(w["factor"], w["long"], w["short"]) for w in fast["windows"] + slow["windows"]] == [
        (14.4, "1h", "5m"),
        (6, "6h", "30m"),
        (3, "1d", "2h"),
        (1, "3d", "6h"),
    ]
    assert [w["threshold"] for w in fast["windows"]] == page
    assert [w["threshold"] for w in slow["windows"]] == ticket


@pytest.mark.parametrize(
    ("answers", "runbooks"),
    [
        (
            {"organization": "Acme Bank S.p.A.", "project_slug": "kyc-assistant"},
            "https://github.com/acme-bank-s-p-a/kyc-assistant/blob/main/docs/runbooks",
        ),
        (
            {"organization": "Acme", "project_slug": "svc", "ci_provider": "gitlab_ci"},
            "https://gitlab.com/acme/svc/-/blob/main/docs/runbooks",
        ),
    ],
)
def test_runbook_links_follow_the_repository(answers: dict[str, str], runbooks: str) -> None:
    assert derive_profile(answers)["observability"]["runbook_base_url"] == runbooks


def test_kpi_answers_reach_every_artefact(kpi_project: Path) -> None:
    project = kpi_project
    package = read_answers(project)["package_name"]
    alerts = _alerts(yaml.safe_load((project / RULES).read_text(encoding="utf-8")))

    assert _thresholds(alerts["LatencyP95AboveObjective"]["expr"]) == [0.432]
    # 99.9 % -> budget 0.001: 14.4x, 6x (page), 3x, 1x (ticket)
    assert _thresholds(alerts["ErrorBudgetBurnFast"]["expr"]) == [0.0144, 0.0144, 0.006, 0.006]
    assert _thresholds(alerts["ErrorBudgetBurnSlow"]["expr"]) == [0.003, 0.003, 0.001, 0.001]
    assert _thresholds(alerts["CostPer1kRequestsOverBudget"]["expr"]) == [3.21]
    quality = alerts["ModelQualityBelowTarget"]["expr"]
    assert _thresholds(quality) == [0.77]
    assert 'metric="golden_accuracy"' in quality
    assert "0.432 s" in alerts["LatencyP95AboveObjective"]["annotations"]["description"]
    assert "99.9 %" in alerts["ErrorBudgetBurnFast"]["annotations"]["summary"]

    dashboard = json.loads(
        next((project / "observability/grafana/dashboards").glob("*.json")).read_text("utf-8")
    )
    steps = {
        panel["title"]: [
            s["value"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
        ]
        for panel in dashboard["panels"]
    }
    assert steps["p95 latency vs objective"] == [None, 0.432]
    assert steps["Availability (30 days)"] == [None, 0.999]
    assert steps["Cost per 1,000 requests vs budget"] == [None, 3.21]
    assert steps["Model quality vs target"] == [None, 0.77]
    assert steps["5xx error ratio vs burn-rate thresholds"] == [None, 0.006, 0.0144]

    kpis_md = (project / "docs" / "kpis.md").read_text(encoding="utf-8")
    for text in ("≤ 432 ms", "≥ 99.9 %", "$3.21 per 1,000", "≥ 0.77"):
        assert text in kpis_md
    kpis = yaml.safe_load((project / "src" / package / "kpis.yaml").read_text(encoding="utf-8"))
    assert kpis["latency_p95_ms"] == 432
    assert kpis["availability_slo_percent"] == 99.9
    assert kpis["cost_per_1k_requests_usd"] == 3.21
    assert kpis["quality_target"] == 0.77

    chart_alerts = _alerts(_chart_rules(project))
    assert _thresholds(chart_alerts["LatencyP95AboveObjective"]["expr"]) == [0.432]
    assert _thresholds(chart_alerts["CostPer1kRequestsOverBudget"]["expr"]) == [3.21]

    latency_tests = (project / TESTS / "latency.yml").read_text(encoding="utf-8")
    assert 'le="0.432"' in latency_tests


def test_chart_rules_are_the_same_rules(kpi_project: Path) -> None:
    plain = yaml.safe_load((kpi_project / RULES).read_text(encoding="utf-8"))
    assert _chart_rules(kpi_project) == plain
    (monitor,) = (kpi_project / "deploy" / "helm").glob("*/templates/servicemonitor.yaml")
    text = monitor.read_text(encoding="utf-8")
    assert text.startswith("{{- if .Values.monitoring.enabled }}")
    job = derive_profile(read_answers(kpi_project))["observability"]["job"]
    assert f"targetLabel: job\n          replacement: {job}\n" in text  # what the rules select
    assert f'job="{job}"' in (kpi_project / RULES).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(CHECK_RENDERS))
def test_every_alert_is_complete_and_has_a_runbook(
    rendered: Callable[[str], Path], name: str
) -> None:
    project = rendered(name)
    profile = derive_profile(read_answers(project))
    obs = profile["observability"]
    alerts = _alerts(yaml.safe_load((project / RULES).read_text(encoding="utf-8")))
    assert set(alerts) == set(obs["alerts"])
    assert ("UpstreamModelErrors" in alerts) is profile["is_llm"]
    assert ("ServiceDown" in alerts) is profile["is_kubernetes"]
    assert (project / "deploy" / "helm").exists() is profile["is_kubernetes"]

    tested = "\n".join(p.read_text(encoding="utf-8") for p in (project / TESTS).glob("*.yml"))
    for name_, rule in alerts.items():
        assert rule["labels"]["severity"] in {"page", "ticket"}
        annotations = rule["annotations"]
        assert annotations["summary"]
        assert annotations["description"]
        prefix = obs["runbook_base_url"] + "/"
        assert annotations["runbook_url"].startswith(prefix)
        runbook = project / "docs" / "runbooks" / annotations["runbook_url"].removeprefix(prefix)
        assert runbook.is_file(), runbook
        assert runbook.read_text(encoding="utf-8").startswith(f"# {name_}\n")
        assert f"alertname: {name_}\n" in tested  # a promtool test exercises it
    runbooks = {p.name for p in (project / "docs" / "runbooks").glob("*.md")} - {"README.md"}
    assert runbooks == {f"{a['runbook']}.md" for a in obs["alerts"].values()}

    routing = (project / "observability/alertmanager/alertmanager.yml").read_text("utf-8")
    assert ("incident-reporting" in routing) is bool(profile["incident_deadlines"])
    if profile["ab_testing"]:
        assert "job_variant:model_predictions:share_rate1h" in (project / RULES).read_text("utf-8")


# --------------------------------------------------------------------------- slow
@pytest.mark.slow
@pytest.mark.parametrize("name", list(CHECK_RENDERS))
def test_check_alerts_passes(rendered: Callable[[str], Path], name: str) -> None:
    project = rendered(name)
    outcome = run(["make", "check-alerts"], project, clean_environment())
    print(f"\n{name}: make check-alerts {outcome.seconds:.1f}s")
    assert outcome.ok, outcome.summary(60)
    assert "FAILED" not in outcome.output
    assert outcome.output.count("  SUCCESS") >= 5  # check rules + one per test file
    assert "dashboards: valid JSON" in outcome.output


# Which promtool test file pins each alert's threshold.
TEST_FILE = {
    "LatencyP95AboveObjective": "latency.yml",
    "ErrorBudgetBurnFast": "error-budget.yml",
    "ErrorBudgetBurnSlow": "error-budget.yml",
    "CostPer1kRequestsOverBudget": "cost.yml",
    "ModelQualityBelowTarget": "quality-and-drift.yml",
    "DataDriftDetected": "quality-and-drift.yml",
    "UpstreamModelErrors": "upstream.yml",
}


@pytest.mark.slow
@NEEDS_PROMTOOL
def test_unit_tests_catch_a_wrong_threshold(kpi_project: Path, tmp_path: Path) -> None:
    original = (kpi_project / RULES).read_text(encoding="utf-8")
    env = clean_environment()
    files = sorted(set(TEST_FILE.values()))
    baseline = run(["promtool", "test", "rules", *files], kpi_project / TESTS, env)
    assert baseline.ok, baseline.summary()

    survivors = []
    for alert, test_file in TEST_FILE.items():
        for factor in (2.0, 0.5):
            mutated = yaml.safe_load(original)
            for group in mutated["groups"]:
                for rule in group["rules"]:
                    if rule.get("alert") == alert:
                        rule["expr"] = re.sub(
                            r"([<>]) ([0-9.e+-]+)",
                            lambda m, f=factor: f"{m[1]} {float(m[2]) * f!r}",
                            rule["expr"],
                        )
            work = tmp_path / f"{alert}-{factor}"
            shutil.copytree(kpi_project / "observability" / "prometheus", work)
            (work / "rules.yml").write_text(yaml.safe_dump(mutated), encoding="utf-8")
            outcome = run(["promtool", "test", "rules", test_file], work / "tests", env)
            if outcome.ok:
                survivors.append(f"{alert} x{factor}")
    assert not survivors, f"thresholds the promtool tests do not pin down: {survivors}"
