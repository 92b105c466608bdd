"""The documentation site: its question reference follows copier.yml, and it builds strictly.

The question page is generated from copier.yml while the site is built
(``scripts/question_reference.py`` as an mkdocs hook), so it cannot go stale; these tests check
that what is generated holds every question, choice and default of copier.yml (read here
independently, with PyYAML), that a change to copier.yml shows on the page, and that
``mkdocs build --strict`` passes without anything that would fetch from the internet.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from matrix import COPIER_YML, ROOT


@cache
def reference() -> ModuleType:
    path = ROOT / "scripts" / "question_reference.py"
    spec = importlib.util.spec_from_file_location("aipt_question_reference", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def questions(copier_yml: Path = COPIER_YML) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(copier_yml.read_text(encoding="utf-8"))
    return {
        name: spec if isinstance(spec, Mapping) else {"default": spec}
        for name, spec in data.items()
        if not name.startswith("_")
    }


def choices(spec: Mapping[str, Any]) -> list[tuple[str, Any]]:
    raw = spec.get("choices") or {}
    return list(raw.items()) if isinstance(raw, Mapping) else [(str(c), c) for c in raw]


def flat(text: str) -> str:
    return " ".join(text.split())


def expected_fragments(name: str, spec: Mapping[str, Any]) -> list[str]:
    """What the page must say about a question, taken straight from copier.yml."""
    fragments = [f"### `{name}`"]
    help_text = flat(str(spec.get("help", "")))
    fragments += [part for part in re.split(r"\{\{.*?\}\}", help_text) if part.strip(" ()")]
    default = spec.get("default")
    if isinstance(default, str):
        fragments.append(flat(default).replace("|", "\\|"))
    elif isinstance(default, bool):
        fragments.append(f"`{str(default).lower()}`")
    elif isinstance(default, list):
        fragments.append(f"`[{', '.join(default)}]`")
    else:
        fragments.append(f"`{default}`")
    if "when" in spec:
        fragments.append(flat(str(spec["when"])))
    for label, value in choices(spec):
        fragments.append(f"| `{value}`")
        fragments.append(flat(label))
    return fragments


def test_question_reference_has_every_question_choice_and_default() -> None:
    page = flat(reference().render_markdown(COPIER_YML))

    missing = [
        f"{name}: {fragment!r}"
        for name, spec in questions().items()
        for fragment in expected_fragments(name, spec)
        if flat(fragment) not in page
    ]

    assert not missing, "\n".join(missing)
    assert f"asks {len(questions())} questions" in page


def test_question_reference_shows_what_answers_drive() -> None:
    page = reference().render_markdown(COPIER_YML)
    anthropic = next(line for line in page.splitlines() if line.startswith("| `anthropic`"))

    # derived from extensions/context.py, not written on the page by hand
    assert "`provider_module` `anthropic_chat`" in anthropic
    assert "+anthropic>=" in anthropic
    dora = next(line for line in page.splitlines() if line.startswith("| `dora`"))
    assert "`audit_retention_days` `1825`" in dora


def test_question_reference_follows_a_changed_copier_yml(tmp_path: Path) -> None:
    text = COPIER_YML.read_text(encoding="utf-8")
    text = text.replace("  default: 99.5\n", "  default: 99.7\n", 1)
    text += (
        "\nmonitoring_backend:\n  type: str\n  help: Where do metrics go?\n"
        "  choices:\n    Prometheus: prometheus\n    Datadog: datadog\n  default: prometheus\n"
    )
    changed = tmp_path / "copier.yml"
    changed.write_text(text, encoding="utf-8")

    page = flat(reference().render_markdown(changed))

    for fragment in expected_fragments(
        "monitoring_backend", questions(changed)["monitoring_backend"]
    ):
        assert flat(fragment) in page, fragment
    availability = page.split("### `availability_slo`", 1)[1].split("###", 1)[0]
    assert "| default | `99.7` |" in availability


def test_mkdocs_config_needs_no_network() -> None:
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    assert config["theme"]["font"] is False  # no Google Fonts at build or view time
    # plugins that download at build time (social cards, privacy, blog feeds...) stay off
    # (mkdocs lists hooks among the plugins, under their path)
    hook = "scripts/question_reference.py"
    assert set(config["plugins"]) <= {"material/search", hook}
    assert hook in config["plugins"]


def test_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr

    page = html.unescape((site / "questions" / "index.html").read_text(encoding="utf-8"))
    for name, spec in questions().items():
        assert f"<code>{name}</code>" in page, name
        for _, value in choices(spec):
            assert f"<code>{value}</code>" in page, f"{name}: {value}"
    architecture = (site / "architecture" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid">' in architecture
    started_html = (site / "getting-started" / "index.html").read_text("utf-8")
    started = html.unescape(re.sub(r"<[^>]+>", "", started_html))  # code is highlighted
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.*?)```", readme, re.S)
    assert commands
    for command in commands:  # the README's commands, included rather than copied
        assert command.strip().splitlines()[0] in started
    every_page = "\n".join(p.read_text("utf-8") for p in site.rglob("*.html"))
    assert "fonts.googleapis.com" not in every_page


@pytest.mark.parametrize(
    ("validator", "messages"),
    [
        (
            "{% if x %}\n  x is wrong: {{ x }}.\n{% elif y %}\n  y too\n{% endif %}",
            ["x is wrong: <x>.", "y too"],
        ),
        ("{% if not a.strip() %}a must not be empty.{% endif %}", ["a must not be empty."]),
        ("", []),
    ],
)
def test_validator_messages(validator: str, messages: list[str]) -> None:
    assert reference().validator_messages(validator) == messages
