"""The container image and the Helm chart of generated projects (issue 4, Kubernetes slice).

* ``test_container_and_chart_pass_their_checks`` (slow): renders one project per hosting variant
  (kubernetes / gpu_on_demand x external API / self-hosted vLLM, Ollama, TGI x clouds including
  on_prem, plus one serverless) and runs the project's own ``make check-container check-k8s``:
  hadolint and checkov on the Dockerfile; the chart rendered offline for base and production
  values and with every optional object on (Ingress), kubernetes-validate --strict,
  check-jsonschema for the custom resources, checkov with zero failures. The tools run pinned
  through uvx (PyPI must be reachable for the first run).
* ``test_canary_analysis_carries_the_kpi_answers`` (slow): the AnalysisTemplate rendered by the
  chart compares the canary with the answers (p95 432 ms -> 0.432 s, 99.9 % -> 0.001 errors).
* The fast tests read the rendered files only.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from rendering import clean_environment, render, run

VARIANTS: dict[str, dict[str, Any]] = {
    "k8s-aws-anthropic": {
        "use_case": "llm_service",
        "llm_provider": "anthropic",
        "hosting": "kubernetes",
        "cloud": "aws",
    },
    "gpu-gcp-rag-vllm": {
        "use_case": "rag_assistant",
        "model_source": "self_hosted",
        "self_hosted_runtime": "vllm",
        "hosting": "gpu_on_demand",
        "cloud": "gcp",
    },
    "k8s-onprem-ollama": {
        "use_case": "llm_service",
        "model_source": "self_hosted",
        "self_hosted_runtime": "ollama",
        "hosting": "kubernetes",
        "cloud": "on_prem",
        "secrets_backend": "vault",
    },
    "k8s-azure-rag-tgi": {
        "use_case": "rag_assistant",
        "model_source": "self_hosted",
        "self_hosted_runtime": "tgi",
        "hosting": "kubernetes",
        "cloud": "azure",
    },
    "gpu-azure-tabular": {"use_case": "tabular_ml", "hosting": "gpu_on_demand", "cloud": "azure"},
    "serverless-aws-rag-openai": {
        "use_case": "rag_assistant",
        "llm_provider": "openai",
        "hosting": "serverless",
        "cloud": "aws",
    },
}
KPI_ANSWERS = {"hosting": "kubernetes", "latency_p95_ms": 432, "availability_slo": 99.9}
# The same pins as the generated Makefile's check-k8s.
HELM_SDK = ["--with", "helm-python-sdk==0.2.2", "--with", "pyyaml==6.0.3"]


def _manifests(folder: Path) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*.yaml"))]


def _chart(project: Path) -> Path:
    (chart,) = [p.parent for p in (project / "deploy" / "helm").glob("*/Chart.yaml")]
    return chart


@pytest.mark.slow
@pytest.mark.parametrize("name", list(VARIANTS))
def test_container_and_chart_pass_their_checks(tmp_path: Path, name: str) -> None:
    config = VARIANTS[name]
    project = render(tmp_path / "project", config)

    outcome = run(["make", "check-container", "check-k8s"], project, clean_environment())
    print(f"\n{name}: make check-container check-k8s {outcome.seconds:.1f}s")
    assert outcome.ok, outcome.summary(80)
    assert "Failed checks: 0" in outcome.output

    if config["hosting"] == "serverless":
        assert "there is no Helm chart to check" in outcome.output
        assert not (project / "deploy" / "helm").exists()
        return
    rendered = project / "var" / "chart-manifests"
    base = {o["kind"] for o in _manifests(rendered / "base")}
    production = _manifests(rendered / "production")
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= base
    assert {"NetworkPolicy", "ServiceAccount", "ConfigMap"} <= base
    assert "Rollout" not in base  # the base values work on a cluster without Argo Rollouts
    assert {"Rollout", "AnalysisTemplate"} <= {o["kind"] for o in production}
    # The optional objects no values file enables are rendered and checked too.
    options = _manifests(rendered / "options")
    (ingress,) = [o for o in options if o["kind"] == "Ingress"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    (api,) = [
        o for o in options if o["kind"] == "Deployment" and o["metadata"]["name"] == backend["name"]
    ]
    assert api["spec"]["template"]["spec"]["containers"][0]["name"] == "api"
    assert backend["port"] == {"name": "http"}
    assert "Ingress" not in base | {o["kind"] for o in production}
    deployments = {o["metadata"]["name"]: o for o in production if o["kind"] == "Deployment"}
    runtime = config.get("self_hosted_runtime")
    assert len(deployments) == (2 if runtime else 1)
    if runtime:
        assert any(deployment.endswith(f"-{runtime}") for deployment in deployments)


@pytest.mark.slow
def test_canary_analysis_carries_the_kpi_answers(tmp_path: Path) -> None:
    project = render(tmp_path / "project", KPI_ANSWERS)
    out = tmp_path / "manifests"

    outcome = run(
        ["uv", "run", "--no-project", *HELM_SDK, "python", "scripts/render_chart.py", str(out)],
        project,
        clean_environment(),
    )

    assert outcome.ok, outcome.summary()
    (template,) = [o for o in _manifests(out / "production") if o["kind"] == "AnalysisTemplate"]
    conditions = {m["name"]: m["successCondition"] for m in template["spec"]["metrics"]}
    assert conditions == {
        "error-ratio": "len(result) > 0 && result[0] <= 0.001",
        "latency-p95": "len(result) > 0 && result[0] <= 0.432",
    }
    for metric in template["spec"]["metrics"]:
        assert int(metric["failureLimit"]) >= 1
        assert "{{args.canary-hash}}" in metric["provider"]["prometheus"]["query"]


BREAKAGES = {
    # file, text, replacement, the target that must fail, what it must say
    "removed-api": (
        "deploy/helm/{slug}/templates/hpa.yaml",
        "apiVersion: autoscaling/v2",
        "apiVersion: autoscaling/v2beta2",
        "check-k8s",
        "no schema for a built-in kind",
    ),
    "unknown-pod-field": (
        "deploy/helm/{slug}/templates/deployment.yaml",
        "enableServiceLinks: false",
        "enableServiceLinkz: false",
        "check-k8s",
        "Additional properties are not allowed",
    ),
    "bad-rollout-field": (
        "deploy/helm/{slug}/templates/rollout.yaml",
        "scaleDown: progressively",
        "scaleDown: gradually",
        "check-k8s",
        "'gradually' is not one of",
    ),
    "missing-analysis-template": (
        "deploy/helm/{slug}/templates/analysistemplate.yaml",
        "-kpis\n",
        "-kpi\n",
        "check-k8s",
        "refers to AnalysisTemplate",
    ),
    "writable-root": (
        "deploy/helm/{slug}/templates/_helpers.tpl",
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
        "check-k8s",
        "CKV_K8S_22",
    ),
    "root-user": ("Dockerfile", "USER 10001:10001", "USER root", "check-container", "DL3002"),
}


@pytest.mark.slow
def test_checks_fail_on_broken_artefacts(tmp_path: Path) -> None:
    """Each check bites: a typical mistake in the chart or the Dockerfile fails its target."""
    pristine = render(tmp_path / "pristine", {"hosting": "kubernetes", "use_case": "llm_service"})
    slug = yaml.safe_load((pristine / ".copier-answers.yml").read_text())["project_slug"]
    missed = []
    for label, (name, text, broken, target, expected) in BREAKAGES.items():
        project = tmp_path / label
        shutil.copytree(pristine, project)
        path = project / name.format(slug=slug)
        source = path.read_text(encoding="utf-8")
        assert text in source, f"{label}: {text!r} is not in {name}"
        path.write_text(source.replace(text, broken), encoding="utf-8")
        outcome = run(["make", target], project, clean_environment())
        if outcome.ok or expected not in outcome.output:
            missed.append(f"{label}: {outcome.summary(30)}")
    assert not missed, "\n\n".join(missed)


def test_chart_values_take_the_kpi_answers(tmp_path: Path) -> None:
    project = render(tmp_path / "project", KPI_ANSWERS)
    values = yaml.safe_load((_chart(project) / "values.yaml").read_text(encoding="utf-8"))
    production = yaml.safe_load(
        (_chart(project) / "values-production.yaml").read_text(encoding="utf-8")
    )

    assert values["rollout"]["analysis"]["maxLatencyP95Seconds"] == 0.432
    assert values["rollout"]["analysis"]["maxErrorRatio"] == 0.001
    assert values["rollout"]["enabled"] is False
    assert values["monitoring"]["enabled"] is False
    assert production["rollout"]["enabled"] is True
    assert production["monitoring"]["enabled"] is True


def test_chart_sends_audit_records_to_the_log_pipeline(tmp_path: Path) -> None:
    """The audit trail's files live in the pod's emptyDir: the chart turns on AUDIT_STDOUT, a
    setting of the generated service, so every record also reaches the cluster's logs."""
    project = render(tmp_path / "project", {"hosting": "kubernetes"})
    values = yaml.safe_load((_chart(project) / "values.yaml").read_text(encoding="utf-8"))
    package = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))[
        "package_name"
    ]
    settings = (project / "src" / package / "settings.py").read_text(encoding="utf-8")

    assert values["config"]["AUDIT_STDOUT"] == "true"
    assert "    audit_stdout: bool = False\n" in settings


def test_dockerfile_is_locked_non_root_and_checks_health(tmp_path: Path) -> None:
    project = render(tmp_path / "project", {"use_case": "rag_assistant", "hosting": "kubernetes"})
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))

    assert "uv sync --locked --no-dev --no-install-project" in dockerfile
    assert "COPY data/documents ./data/documents" in dockerfile
    assert "USER 10001:10001" in dockerfile
    assert "/healthz" in dockerfile.split("HEALTHCHECK", 1)[1]
    assert f'ENTRYPOINT ["python", "-m", "{answers["package_name"]}"]' in dockerfile
    assert 'CMD ["serve", "--host", "0.0.0.0"]' in dockerfile
    lines = (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*"  # an allow-list: .env, .git and var/ never reach a build
    assert not [rule for rule in rules if rule.startswith("!") and ".env" in rule]
    assert "lock:" in (project / "Makefile").read_text(encoding="utf-8")
