"""The option matrix (tests/matrix.py) agrees with copier.yml and with the real Copier engine, and
its pairwise set covers what it claims to cover."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

import matrix
from matrix import (
    COPIER_YML,
    NOT_ASKED,
    all_configurations,
    default_configuration,
    is_valid,
    matrix_questions,
    normalize,
    one_value_configurations,
    pairs_of,
    pairwise_configurations,
    problems,
    relevant_names,
    valid_pairs,
)
from rendering import refusal, render_answers_only

# --------------------------------------------------------------------------- the option space


def test_option_space_is_read_from_copier_yml() -> None:
    spec = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))
    expected = {
        name
        for name, q in spec.items()
        if isinstance(q, dict) and ("choices" in q or q.get("type") == "bool")
    }
    assert {q.name for q in matrix_questions()} == expected
    for q in matrix_questions():
        if q.kind == "choice":
            assert set(q.values) == set(spec[q.name]["choices"].values())
    compliance = matrix.question("compliance")
    regimes = tuple(spec["compliance"]["choices"].values())
    assert compliance.kind == "multiselect"
    assert compliance.values[0] == ()
    assert compliance.values[-1] == regimes
    assert {v for v in compliance.values if len(v) == 1} == {(r,) for r in regimes}


def test_every_validator_in_copier_yml_is_mirrored() -> None:
    """A new validator in copier.yml must get its twin in matrix.problems()."""
    assert matrix.questions_with_validator() == set(matrix._VALIDATORS)


def test_defaults_are_what_copier_records(tmp_path: Path) -> None:
    recorded = render_answers_only(tmp_path / "p", {})

    as_recorded = {k: list(v) if isinstance(v, tuple) else v for k, v in recorded.items()}
    expected = default_configuration()
    assert {k: as_recorded[k] for k in expected} == {
        k: list(v) if isinstance(v, tuple) else v for k, v in expected.items()
    }


# --------------------------------------------------------------------------- engine agreement
FREE_FORM_SAMPLES: list[dict[str, Any]] = [
    # Bad values, one per free-form validator, and their edges.
    {"project_name": "My Project!!"},
    {"project_slug": "Service"},
    {"project_slug": "svc-"},
    {"package_name": "tests"},
    {"package_name": "2fast"},
    {"author_name": ""},
    {"author_email": "a@b"},
    {"organization": " "},
    {"use_case": "llm_service", "model_source": "self_hosted", "self_hosted_model": "-x"},
    {"quality_target": 0},
    {"latency_p95_ms": 0},
    {"latency_p95_ms": 600001},
    {"availability_slo": 89.9},
    {"cost_per_1k_requests_usd": -1},
    {"ab_testing": True, "challenger_traffic_percent": 51},
    # A validator runs on every answer given, even to a question that is then not asked.
    {"ab_testing": False, "challenger_traffic_percent": 0},
    {"use_case": "tabular_ml", "self_hosted_model": "has space"},
    # Good values at the edges.
    {"project_name": "A", "project_slug": "a", "package_name": "a"},
    {"quality_target": 1, "latency_p95_ms": 600000, "availability_slo": 90},
    {"ab_testing": True, "challenger_traffic_percent": 1},
]


def _random_answers(rng: random.Random) -> dict[str, Any]:
    """One value for every matrix question, relevant or not, then the irrelevant ones dropped."""
    return normalize({q.name: rng.choice(q.values) for q in matrix_questions()})


def _engine_samples() -> list[dict[str, Any]]:
    rng = random.Random(20240611)
    samples = [_random_answers(rng) for _ in range(10)]
    # At least one refusal by every cross-question validator, found the same random way.
    for q in matrix_questions():
        if q.name not in matrix._VALIDATORS:
            continue
        while True:
            answers = _random_answers(rng)
            if problems(answers)[:1] == [q.name]:
                samples.append(answers)
                break
    return samples + FREE_FORM_SAMPLES


ENGINE_SAMPLES = _engine_samples()


def _sample_id(answers: dict[str, Any]) -> str:
    found = problems(answers)
    return f"s{ENGINE_SAMPLES.index(answers):02d}-{found[0] if found else 'valid'}"


def test_engine_samples_cover_every_validator_and_both_outcomes() -> None:
    refusing = {p for s in ENGINE_SAMPLES for p in problems(s)[:1]}
    assert refusing == matrix.questions_with_validator()
    assert sum(is_valid(s) for s in ENGINE_SAMPLES) >= 8


@pytest.mark.parametrize("answers", ENGINE_SAMPLES, ids=_sample_id)
def test_copier_refuses_exactly_what_is_valid_refuses(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    """matrix.is_valid and copier.yml's validators must agree (and name the same question)."""
    refused = refusal(tmp_path / "p", answers)

    expected = problems(answers)
    assert (refused.question if refused else None) == (expected[0] if expected else None), (
        refused.message if refused else "accepted"
    )


@pytest.mark.parametrize("answers", [a for a in ENGINE_SAMPLES if is_valid(a)][:10], ids=_sample_id)
def test_copier_asks_exactly_the_relevant_questions(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    """matrix.relevant_names (the `when` expressions) is what Copier asks and records."""
    recorded = render_answers_only(tmp_path / "p", answers)

    assert list(recorded) == sorted(relevant_names(answers))
    for name in relevant_names(answers):
        if name in answers:
            given = answers[name]
            value = sorted(given) if isinstance(given, tuple) else given
            assert (sorted(recorded[name]) if isinstance(given, tuple) else recorded[name]) == value


# --------------------------------------------------------------------------- pairwise coverage
def test_full_enumeration_is_valid_and_normalized() -> None:
    configs = all_configurations()
    assert len(configs) > 1000
    assert default_configuration() in configs
    for config in random.Random(7).sample(configs, 500):
        assert is_valid(config)
        assert normalize(config) == config
        assert set(config) == {q.name for q in matrix_questions()} & set(relevant_names(config))


def test_pairwise_rows_are_valid_normalized_and_distinct() -> None:
    rows = pairwise_configurations()
    for row in rows:
        assert is_valid(row), row
        assert normalize(row) == row
        assert NOT_ASKED not in row.values()
    assert len({tuple(sorted(map(repr, r.items()))) for r in rows}) == len(rows)


def test_pairwise_set_has_every_value_of_every_question() -> None:
    rows = pairwise_configurations()
    assert rows[0] == default_configuration()
    for q in matrix_questions():
        seen = {row[q.name] for row in rows if q.name in row}
        if q.kind == "multiselect":
            # every choice in and out, and the extremes: no choice, every choice
            for choice in matrix.members(q):
                assert {choice in answer for answer in seen} == {True, False}, (q.name, choice)
            assert {(), matrix.members(q)} <= seen, q.name
        else:
            assert seen == set(q.values), q.name


def test_pairwise_set_covers_every_valid_pair() -> None:
    covered = {pair for row in pairwise_configurations() for pair in pairs_of(row)}
    missing = valid_pairs() - covered
    assert not missing, sorted(missing)[:10]
    # ... and no pair Copier would refuse sneaks in.
    assert covered <= valid_pairs()


def test_invalid_pairs_really_are_invalid() -> None:
    """Sanity of the pair space: the validators' forbidden pairs are absent, others present."""
    pairs = valid_pairs()
    assert (("hosting", "serverless"), ("cloud", "on_prem")) not in pairs
    assert (("hosting", "gpu_on_demand"), ("cloud", "on_prem")) not in pairs
    assert (("hosting", "serverless"), ("orchestrator", "kubeflow")) not in pairs
    assert (("cloud", "on_prem"), ("secrets_backend", "cloud_native")) not in pairs
    assert (("model_source", "self_hosted"), ("hosting", "serverless")) not in pairs
    assert (("use_case", "tabular_ml"), ("hosting", "serverless")) in pairs
    assert (("use_case", "tabular_ml"), ("llm_provider", "openai")) not in pairs  # irrelevant
    # a multiselect is a yes/no factor per choice: every two regimes meet in all four ways ...
    for gdpr in (True, False):
        for dora in (True, False):
            assert (("compliance:gdpr", gdpr), ("compliance:dora", dora)) in pairs
    # ... but the AI Act risk class is only asked with the AI Act chosen
    assert (("compliance:eu_ai_act", True), ("ai_act_risk", "high")) in pairs
    assert (("compliance:eu_ai_act", False), ("ai_act_risk", "high")) not in pairs
    assert (("compliance:gdpr", False), ("ai_act_risk", "high")) in pairs


def test_pairwise_set_is_near_the_smallest_possible() -> None:
    """Each row holds one value of each question: two questions with a and b values that can all
    meet need a*b rows. The greedy search stays within a few rows of the largest such bound summed
    over the answers that exclude each other (a provider, a runtime, no LLM at all)."""
    rows = pairwise_configurations()

    def meeting(a: str, b: str) -> set[Any]:
        return {p for p in valid_pairs() if {p[0][0], p[1][0]} == {a, b}}

    tabular = {p for p in meeting("use_case", "cloud") if ("use_case", "tabular_ml") in p}
    bound = (
        len(meeting("llm_provider", "cloud"))  # rows with an API provider
        + len(meeting("self_hosted_runtime", "cloud"))  # rows with a self-hosted runtime
        + len(tabular)  # rows without an LLM
    )
    assert bound <= len(rows) <= bound + 15, (bound, len(rows))


def test_one_value_set_has_every_value_near_the_defaults() -> None:
    rows = one_value_configurations()
    defaults = default_configuration()
    assert rows[0] == defaults
    for q in matrix_questions():
        assert {row[q.name] for row in rows if q.name in row} == set(q.values), q.name
    for row in rows:
        assert is_valid(row)
    # e.g. a vector store alone changes nothing else
    assert {**defaults, "vector_store": "pinecone"} in rows
