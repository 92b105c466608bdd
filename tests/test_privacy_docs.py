"""The generated privacy documentation tells the truth about the privacy filter.

The filter ships where free text reaches a model provider (rag_assistant, llm_service) and is
mandatory with GDPR or HIPAA; the security, ethics and compliance docs say so, and no generated
document still claims that redaction is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rendering import render

DOCS = ("SECURITY.md", "docs/ethical-use.md", "docs/compliance/README.md", "README.md")


@pytest.mark.parametrize(
    ("answers", "mandatory"),
    [
        ({"use_case": "llm_service", "compliance": ["gdpr", "hipaa"]}, "GDPR and HIPAA"),
        ({"use_case": "rag_assistant", "compliance": ["dora"]}, None),
    ],
    ids=["llm-gdpr-hipaa", "rag-dora"],
)
def test_llm_services_document_their_privacy_filter(
    tmp_path: Path, answers: dict[str, object], mandatory: str | None
) -> None:
    project = render(tmp_path / "p", answers)
    privacy = (project / "docs" / "privacy.md").read_text()
    security = (project / "SECURITY.md").read_text()
    settings = next(project.glob("src/*/settings.py")).read_text()

    for doc in DOCS:
        assert "not implemented" not in (project / doc).read_text(), doc
    assert "docs/privacy.md" in security
    assert "Presidio" in privacy
    if mandatory:
        assert f"mandatory here ({mandatory} declared)" in security
        assert f"**Mandatory for this service** ({mandatory} declared" in privacy
        assert 'PII_MANDATORY_BECAUSE: tuple[str, ...] = ("GDPR", "HIPAA")' in settings
        assert '"health": "refuse"' in settings
    else:
        assert "on by default" in security
        assert "PII_ENABLED=false` switches it off" in privacy
        assert "PII_MANDATORY_BECAUSE: tuple[str, ...] = ()" in settings
        assert '"health": "allow"' in settings


def test_tabular_projects_have_no_privacy_filter_and_say_why(tmp_path: Path) -> None:
    project = render(tmp_path / "p", {"use_case": "tabular_ml", "compliance": ["gdpr"]})

    assert not (project / "docs" / "privacy.md").exists()
    assert not list(project.glob("src/*/privacy"))
    for doc in DOCS:
        assert "not implemented" not in (project / doc).read_text(), doc
    assert "numeric features only" in (project / "SECURITY.md").read_text()
    assert "numeric features only" in (project / "docs/compliance/README.md").read_text()
