"""The questionnaire through the real Copier engine: validators refuse bad answers with a message a
person understands, and `when` keeps irrelevant questions out of the answers file.

Copier validates every ``--data`` answer before writing anything; a refusal is a ``ValueError``
"Validation error for question '<name>': <message>" (the CLI prints it and exits with 1).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from matrix import ROOT
from rendering import refusal, render_answers_only

REFUSED = [
    # (answers, question that refuses, words the message must contain)
    (
        {"project_name": "My Project!!"},
        "project_name",
        ['"My Project!!" is not allowed', "letters"],
    ),
    ({"project_name": "9 lives"}, "project_name", ["start with a letter"]),
    ({"project_slug": "my-service-"}, "project_slug", ["do not end with '-'"]),
    ({"package_name": "My-Package"}, "package_name", ['"My-Package" is not a valid Python']),
    ({"package_name": "json"}, "package_name", ["would shadow a module"]),
    ({"author_email": "team-at-example.com"}, "author_email", ["is not an email address"]),
    ({"author_name": "   "}, "author_name", ["must not be empty"]),
    ({"latency_p95_ms": -5}, "latency_p95_ms", ["between 1 and 600000", "(got -5)"]),
    ({"quality_target": 1.5}, "quality_target", ["at most 1", "(got 1.5)"]),
    ({"quality_target": 0}, "quality_target", ["greater than 0"]),
    ({"availability_slo": 100}, "availability_slo", ["(not including) 100", "(got 100"]),
    ({"cost_per_1k_requests_usd": 0}, "cost_per_1k_requests_usd", ["positive amount"]),
    (
        {"ab_testing": True, "challenger_traffic_percent": 60},
        "challenger_traffic_percent",
        ["from 1 to 50", "(got 60)"],
    ),
    (
        {"use_case": "llm_service", "model_source": "self_hosted", "self_hosted_model": "my model"},
        "self_hosted_model",
        ['"my model" is not a model id'],
    ),
    (
        {"hosting": "serverless", "cloud": "on_prem"},
        "cloud",
        ['cloud "on_prem" cannot run hosting "serverless"', "Choose aws, azure or gcp"],
    ),
    (
        {"use_case": "rag_assistant", "model_source": "self_hosted", "hosting": "serverless"},
        "hosting",
        ['hosting "serverless" cannot serve a self-hosted model', "kubernetes or gpu_on_demand"],
    ),
    (
        {"hosting": "gpu_on_demand", "cloud": "on_prem"},
        "cloud",
        ['cloud "on_prem" cannot provide on-demand GPUs'],
    ),
    (
        {"hosting": "serverless", "orchestrator": "kubeflow"},
        "orchestrator",
        ['orchestrator "kubeflow" runs on a Kubernetes cluster', "Choose airflow or none"],
    ),
    (
        {"cloud": "on_prem", "secrets_backend": "cloud_native"},
        "secrets_backend",
        ['secrets_backend "cloud_native" needs a cloud secret store', "Choose vault"],
    ),
]


@pytest.mark.parametrize(
    ("answers", "name", "words"), REFUSED, ids=[f"{r[1]}-{i}" for i, r in enumerate(REFUSED)]
)
def test_bad_answer_is_refused_with_a_readable_message(
    tmp_path: Path, answers: dict[str, Any], name: str, words: list[str]
) -> None:
    dst = tmp_path / "project"

    refused = refusal(dst, answers)

    assert refused is not None, f"Copier accepted {answers}"
    assert refused.question == name
    for word in words:
        assert word in refused.message
    assert "{{" not in refused.message
    assert "{%" not in refused.message
    assert not dst.exists(), "nothing may be written for refused answers"


@pytest.mark.parametrize(
    "answers",
    [
        {"use_case": "tabular_ml", "hosting": "serverless"},
        {"use_case": "llm_service", "model_source": "self_hosted", "hosting": "gpu_on_demand"},
        {"hosting": "kubernetes", "cloud": "on_prem", "orchestrator": "kubeflow"},
        {"hosting": "serverless", "cloud": "gcp", "orchestrator": "airflow"},
        {
            "project_name": "Fraud scorer_2-x",
            "package_name": "fraud2",
            "latency_p95_ms": 1,
            "quality_target": 1.0,
            "availability_slo": 90,
            "cost_per_1k_requests_usd": 100000,
        },
        {"availability_slo": 99.999, "latency_p95_ms": 600000},
        {"ab_testing": True, "challenger_traffic_percent": 50},
    ],
)
def test_good_neighbours_of_refused_answers_are_accepted(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    recorded = render_answers_only(tmp_path / "project", answers)

    for name, value in answers.items():
        assert recorded[name] == value


def test_on_prem_defaults_to_vault(tmp_path: Path) -> None:
    recorded = render_answers_only(tmp_path / "project", {"cloud": "on_prem"})

    assert recorded["secrets_backend"] == "vault"


def test_the_command_line_reports_a_refusal_and_fails(tmp_path: Path) -> None:
    copier = Path(sys.executable).parent / "copier"
    command = [
        str(copier),
        "copy",
        "--trust",
        "--defaults",
        "--vcs-ref",
        "HEAD",
        "--quiet",
        "--data",
        "hosting=serverless",
        "--data",
        "cloud=on_prem",
        str(ROOT),
        str(tmp_path / "project"),
    ]

    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    assert completed.returncode != 0
    assert "Validation error for question 'cloud'" in completed.stderr
    assert "cannot run hosting" in " ".join(completed.stderr.split())
    assert not (tmp_path / "project").exists()


# --------------------------------------------------------------------------- `when`
LLM_ONLY = {
    "model_source",
    "llm_provider",
    "self_hosted_runtime",
    "self_hosted_model",
    "fine_tuning",
    "vector_store",
}


def test_tabular_is_not_asked_about_language_models(tmp_path: Path) -> None:
    # Answers to hidden questions, even when given, are not recorded.
    recorded = render_answers_only(
        tmp_path / "p", {"use_case": "tabular_ml", "llm_provider": "anthropic"}
    )

    assert recorded["use_case"] == "tabular_ml"
    assert not LLM_ONLY & set(recorded)
    assert recorded["latency_p95_ms"] == 300  # use-case-dependent defaults
    assert recorded["quality_target"] == 0.9


def test_llm_service_with_an_api_is_asked_provider_not_store(tmp_path: Path) -> None:
    recorded = render_answers_only(tmp_path / "p", {"use_case": "llm_service"})

    assert recorded["model_source"] == "external_api"
    assert recorded["llm_provider"] == "openai"
    assert not {"vector_store", "self_hosted_runtime", "self_hosted_model", "fine_tuning"} & set(
        recorded
    )


def test_self_hosted_is_asked_runtime_model_and_fine_tuning(tmp_path: Path) -> None:
    recorded = render_answers_only(
        tmp_path / "p",
        {
            "use_case": "rag_assistant",
            "model_source": "self_hosted",
            "self_hosted_runtime": "ollama",
        },
    )

    assert "llm_provider" not in recorded
    assert recorded["self_hosted_model"] == "llama3.1:8b"  # the runtime's default model
    assert recorded["fine_tuning"] is False
    assert recorded["vector_store"] == "qdrant"


@pytest.mark.parametrize(
    ("compliance", "asked"), [(["gdpr"], False), ([], False), (["eu_ai_act", "dora"], True)]
)
def test_ai_act_risk_only_with_the_ai_act(
    tmp_path: Path, compliance: list[str], asked: bool
) -> None:
    recorded = render_answers_only(tmp_path / "p", {"compliance": compliance})

    assert sorted(recorded["compliance"]) == sorted(compliance)
    assert ("ai_act_risk" in recorded) is asked


@pytest.mark.parametrize("ab_testing", [False, True])
def test_challenger_share_only_with_ab_testing(tmp_path: Path, ab_testing: bool) -> None:
    recorded = render_answers_only(tmp_path / "p", {"ab_testing": ab_testing})

    assert ("challenger_traffic_percent" in recorded) is ab_testing
