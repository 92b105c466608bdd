"""The compliance pack (docs/compliance/, SECURITY.md, docs/ethical-use.md) follows the answers.

Fast tier: rendering only (the docs and SECURITY.md, with the real Copier engine). Each answer set
below is rendered once; the tests assert, per declared regime, the documents and the legal
references that must be there, and, per regime NOT declared, that neither its documents nor its
legal text appear. The expectations are written out here from the law (article numbers,
deadlines), not read back from ``extensions/context.py``, so a wrong table there fails a test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rendering import ANSWERS_FILE, render, render_answers_only

# Each regime: the documents it brings, the references each must contain, and text that only
# that regime puts into docs/compliance (so its absence is checked when the regime is not chosen).
REGIMES: dict[str, dict[str, Any]] = {
    "gdpr": {
        "documents": {
            "records-of-processing.md": ["Art. 30(1)", "Art. 5(1)(e)", "Art. 46(2)(c)"],
            "dpia.md": ["Art. 35(7)(a)", "Art. 35(7)(b)", "Art. 35(7)(c)", "Art. 35(7)(d)"],
            "data-subject-rights.md": ["Art. 12(3)", "Art. 15", "Art. 17", "Art. 20", "Art. 22"],
        },
        "only_here": ["2016/679", "Art. 30(1)", "Art. 35"],
    },
    "dora": {
        "documents": {
            "ict-risk-summary.md": ["Art. 6", "Art. 5(2)"],
            "third-party-register.md": ["Art. 28(3)", "2024/2956", "Art. 30"],
            "major-incident-reporting.md": [
                "2025/301",
                "within **4 hours of classifying**",
                "**no later than 24 hours after becoming aware**",
                "within **72 hours of submitting the initial notification**",
                "**no later than one month**",
            ],
        },
        "only_here": ["2022/2554", "2025/301", "register of information"],
    },
    "nis2": {
        "documents": {
            "incident-reporting-runbook.md": [
                "| Early warning to the CSIRT | 24 h |",
                "| Incident notification | 72 h |",
                "| Final report | 720 h |",
                "Art. 23(4)(a)",
                "Art. 23(4)(b)",
                "Art. 23(4)(d)",
            ],
        },
        "only_here": ["2022/2555", "CSIRT"],
    },
    "eu_ai_act": {
        "documents": {"ai-act-risk-classification.md": ["Art. 5", "Art. 6", "AI Act Art. 4"]},
        "only_here": ["2024/1689", "AI Act Art. 73(2)"],
    },
    "hipaa": {
        "documents": {
            "hipaa-safeguards.md": ["164.308(a)(1)", "164.310(a)(1)", "164.312(b)", "164.316"],
            "breach-notification.md": ["164.404(b)", "**60 calendar days**", "164.408"],
        },
        "only_here": ["45 CFR", "ePHI"],
    },
}
# What each EU AI Act risk class adds to the risk classification.
AI_ACT_CLASSES: dict[str, dict[str, list[str]]] = {
    "minimal": {"documents": [], "references": ["Art. 95"]},
    "limited": {
        "documents": ["ai-act-transparency.md"],
        "references": ["Art. 50(1)", "Art. 50(2)", "Art. 50(4)"],
    },
    "high": {
        "documents": ["technical-documentation.md", "ai-act-logging.md", "human-oversight.md"],
        "references": ["Art. 9", "Art. 11 and Annex IV", "Art. 14", "Art. 19(1)", "Art. 26(6)"],
    },
}
HIGH_RISK_DOCUMENTS = {
    "technical-documentation.md": [f"Annex IV({n})" for n in range(1, 10)],
    "ai-act-logging.md": ["Art. 12(1)", "Art. 19(1)", "Art. 26(6)"],
    "human-oversight.md": ["Art. 14(4)", "| (e) |"],
}

# Answer sets: none, each regime alone (AI Act in each risk class), and combinations; the other
# answers vary the third parties (model provider, cloud, managed vector store).
CASES: dict[str, dict[str, Any]] = {
    "none": {"use_case": "llm_service", "compliance": []},
    "gdpr-rag-pinecone": {
        "use_case": "rag_assistant",
        "vector_store": "pinecone",
        "compliance": ["gdpr"],
    },
    "dora-nis2-tabular-onprem": {
        "use_case": "tabular_ml",
        "cloud": "on_prem",
        "secrets_backend": "vault",
        "compliance": ["dora", "nis2"],
    },
    "aiact-minimal": {
        "use_case": "llm_service",
        "compliance": ["eu_ai_act"],
        "ai_act_risk": "minimal",
    },
    "gdpr-aiact-limited": {
        "use_case": "llm_service",
        "compliance": ["gdpr", "eu_ai_act"],
        "ai_act_risk": "limited",
    },
    "aiact-high-hipaa-anthropic-azure": {
        "use_case": "llm_service",
        "llm_provider": "anthropic",
        "cloud": "azure",
        "compliance": ["eu_ai_act", "hipaa"],
        "ai_act_risk": "high",
    },
}
ONLY_DOCS = ["*", "!docs", "!docs/**", "!SECURITY.md", f"!{ANSWERS_FILE}"]


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each answer set rendered once (the docs and SECURITY.md only)."""
    root = tmp_path_factory.mktemp("packs")
    return {
        name: render(root / name, answers, exclude=ONLY_DOCS, skip_tasks=True)
        for name, answers in CASES.items()
    }


def pack_files(project: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in (project / "docs/compliance").glob("*")}


def expected_documents(answers: dict[str, Any]) -> dict[str, list[str]]:
    documents: dict[str, list[str]] = {"README.md": []}
    for regime in answers["compliance"]:
        documents.update(REGIMES[regime]["documents"])
    if "eu_ai_act" in answers["compliance"]:
        risk = AI_ACT_CLASSES[answers["ai_act_risk"]]
        documents["ai-act-risk-classification.md"] = [
            *documents["ai-act-risk-classification.md"],
            *risk["references"],
        ]
        documents.update({d: HIGH_RISK_DOCUMENTS.get(d, []) for d in risk["documents"]})
        if answers["ai_act_risk"] == "limited":
            documents["ai-act-transparency.md"] = AI_ACT_CLASSES["limited"]["references"]
    return documents


@pytest.mark.parametrize("case", CASES)
def test_pack_holds_exactly_the_documents_of_the_declared_regimes(
    packs: dict[str, Path], case: str
) -> None:
    files = pack_files(packs[case])
    expected = expected_documents(CASES[case])

    assert set(files) == set(expected)
    for name, references in expected.items():
        missing = [r for r in references if r not in files[name]]
        assert not missing, f"{name} lacks {missing}"
    index = files["README.md"]
    for name in expected:
        if name != "README.md":
            assert f"]({name})" in index, f"README.md does not link {name}"


@pytest.mark.parametrize("case", CASES)
def test_regimes_not_declared_leave_no_trace(packs: dict[str, Path], case: str) -> None:
    text = "\n".join(pack_files(packs[case]).values())
    for regime, spec in REGIMES.items():
        if regime in CASES[case]["compliance"]:
            continue
        present = [marker for marker in spec["only_here"] if marker in text]
        assert not present, f"{regime} is not declared but the pack mentions {present}"


@pytest.mark.parametrize(
    ("case", "absent"),
    [
        ("aiact-minimal", ["Art. 50(1)", "Annex IV(", "Art. 14(4)"]),
        ("gdpr-aiact-limited", ["Annex IV(", "Art. 14(4)", "Art. 26(6)"]),
        ("aiact-high-hipaa-anthropic-azure", ["Art. 50(1)", "Art. 95"]),
    ],
)
def test_ai_act_risk_class_changes_the_obligations(
    packs: dict[str, Path], case: str, absent: list[str]
) -> None:
    text = "\n".join(pack_files(packs[case]).values())

    assert f"`ai_act_risk: {CASES[case]['ai_act_risk']}`" in text
    assert [a for a in absent if a in text] == []


def test_prohibited_ai_practice_is_refused(tmp_path: Path) -> None:
    answers = {"compliance": ["eu_ai_act"], "ai_act_risk": "prohibited"}
    with pytest.raises(ValueError, match="ai_act_risk"):
        render_answers_only(tmp_path / "p", answers)
    assert not (tmp_path / "p" / ANSWERS_FILE).exists()


@pytest.mark.parametrize(
    ("case", "parties"),
    [
        ("gdpr-rag-pinecone", ["OpenAI, L.L.C.", "Amazon Web Services", "Pinecone Systems"]),
        ("aiact-high-hipaa-anthropic-azure", ["Anthropic PBC", "Microsoft Ireland"]),
        ("dora-nis2-tabular-onprem", []),
    ],
)
def test_third_parties_are_the_chosen_provider_cloud_and_store(
    packs: dict[str, Path], case: str, parties: list[str]
) -> None:
    files = pack_files(packs[case])
    section = files["README.md"].split("## Third parties", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]

    assert [p for p in parties if p not in section] == []
    assert len(rows) - 1 == max(len(parties), 1)  # header row, then one row each (or "none")
    if "third-party-register.md" in files:  # DORA Art. 28(3) register lists the same parties
        register = files["third-party-register.md"]
        assert [p for p in parties if p not in register] == []
        assert ("| none |" in register) is not parties


def test_erasure_procedure_names_the_commands_that_exist(packs: dict[str, Path]) -> None:
    rag = pack_files(packs["gdpr-rag-pinecone"])["data-subject-rights.md"]
    llm = pack_files(packs["gdpr-aiact-limited"])["data-subject-rights.md"]

    for text in (rag, llm):
        assert "erase service.log.jsonl --request-ids ids.txt" in text
        assert "X-Request-ID" in text
    assert "ingest data/documents --prune" in rag
    assert "ingest" not in llm
    assert "CloudWatch Logs cannot delete single events" in llm  # default cloud: AWS


@pytest.mark.parametrize("case", CASES)
def test_security_policy_and_ethics_in_every_project(packs: dict[str, Path], case: str) -> None:
    security = (packs[case] / "SECURITY.md").read_text(encoding="utf-8")
    ethics = (packs[case] / "docs" / "ethical-use.md").read_text(encoding="utf-8")
    compliance = CASES[case]["compliance"]

    assert "## Reporting a vulnerability" in security
    assert "Art. 5" in ethics  # prohibited practices are excluded in every project
    assert ("earliest legal deadline" in security) is bool(compliance)
    earliest = {"dora": "**4 hours**", "nis2": "**24 hours**", "gdpr": "**72 hours**"}
    for regime, text in earliest.items():
        if regime in compliance:
            assert text in security
            break
    # The ethics policy says the service enforces the special-category rule where it has free text.
    enforced = "The service enforces this" in ethics
    assert enforced is (CASES[case].get("use_case", "rag_assistant") != "tabular_ml")
