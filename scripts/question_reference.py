"""The question reference of the documentation site, generated from copier.yml.

Nothing about a question is written twice: its help, type, choices, default, ``when`` and
validator come from ``copier.yml``; what an answer drives comes from ``derive_profile`` in
``extensions/context.py`` (each answer is changed in a valid configuration and the derived
profile is compared); relevance and validity come from ``tests/matrix.py``, the same option space
the template's tests cover.

Used two ways:

* as an mkdocs hook (``hooks:`` in ``mkdocs.yml``): ``on_files`` adds ``questions.md`` to the site
  while it is built, so the page cannot go stale -- there is no file to forget;
* from the command line, ``python scripts/question_reference.py [copier.yml]`` prints the page.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGE = "questions.md"
MAX_VALUE = 70  # derived values longer than this are named, not shown

SECTION = re.compile(r"^# -+ PROMPT: (?P<title>.+)$")


# --------------------------------------------------------------------------- sources
@cache
def _module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _context() -> ModuleType:
    return _module("aipt_docs_context", ROOT / "extensions" / "context.py")


def _matrix() -> ModuleType:
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import matrix  # the template's option space, read from copier.yml

    return matrix


def load_questions(copier_yml: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(section title, name, spec) for every question, in the order Copier asks them."""
    text = copier_yml.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    sections: dict[str, str] = {}
    title = "Questions"
    for line in text.splitlines():
        match = SECTION.match(line.strip())
        if match:
            title = match["title"].strip()
        elif re.match(r"^[a-z][a-z0-9_]*:", line):
            sections[line.split(":", 1)[0]] = title
    questions = []
    for name, spec in data.items():
        if name.startswith("_"):
            continue
        if not isinstance(spec, Mapping):
            spec = {"default": spec}
        questions.append((sections.get(name, "Questions"), name, dict(spec)))
    return questions


def choices_of(spec: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) of each choice."""
    choices = spec.get("choices") or {}
    if isinstance(choices, Mapping):
        return [(str(label), value) for label, value in choices.items()]
    return [(str(c[0]), c[1]) if isinstance(c, list | tuple) else (str(c), c) for c in choices]


# --------------------------------------------------------------------------- what answers drive
def profile_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The derived values (keys of ``profile``) that differ, each with a short description.

    Scalars show their new value; lists show what was added and removed; mappings (and anything
    long) are only named.
    """
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        changes.append((key, _describe(old, new)))
    return changes


def _describe(old: Any, new: Any) -> str:
    if (
        isinstance(new, list)
        and isinstance(old, list)
        and all(isinstance(v, str) for v in [*old, *new])
    ):
        added = [f"+{v}" for v in new if v not in old]
        removed = [f"\u2212{v}" for v in old if v not in new]
        text = " ".join(added + removed)
    elif isinstance(new, Mapping | list | tuple):
        return ""
    else:
        text = _plain(new)
    return text if text and len(text) <= MAX_VALUE else ""


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value or '""'
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def _profile(answers: Mapping[str, Any]) -> dict[str, Any]:
    matrix = _matrix()
    result: dict[str, Any] = _context().derive_profile(matrix.as_data(answers))
    return result


def choice_effects(name: str, spec: Mapping[str, Any]) -> dict[Any, list[tuple[str, str]]]:
    """For each value of a choice/bool question: what it changes against the question's default.

    Each value is taken in the valid configuration nearest to the defaults (``tests/matrix.py``),
    and compared with the same configuration answering the default instead. A multiselect value
    is compared with selecting nothing.
    """
    matrix = _matrix()
    effects: dict[Any, list[tuple[str, str]]] = {}
    if name not in {q.name for q in matrix.matrix_questions()}:
        return effects  # a question the option space does not know (another copier.yml)
    if spec.get("multiselect"):
        base = {**matrix.default_configuration(), name: ()}
        for _, value in choices_of(spec):
            effects[value] = profile_changes(_profile(base), _profile({**base, name: (value,)}))
        return effects
    question = matrix.question(name)
    for config in matrix.one_value_configurations():  # nearest to the defaults first
        value = config.get(name, matrix.NOT_ASKED)
        if value is matrix.NOT_ASKED or value in effects:
            continue
        reference = matrix.normalize({**config, name: matrix._default(question, config)})
        if name not in reference or reference[name] == value or not matrix.is_valid(reference):
            continue
        effects[value] = profile_changes(_profile(reference), _profile(config))
    return effects


def free_effects(name: str, spec: Mapping[str, Any]) -> list[str]:
    """The derived values a free-form answer reaches (found by changing it from its default)."""
    kind = spec.get("type", "str")
    base = _matrix().default_configuration()
    if name not in {q.name for q in _matrix().load_questions()}:
        return []
    default = spec.get("default")
    if isinstance(default, str) and "{{" in default:
        default = _profile(base).get(name)  # a computed default: the value the profile holds
        if default is None:
            return []
    if kind == "int":
        samples: list[Any] = [int(default) * 2, int(default) * 20]
    elif kind == "float":
        samples = [round(float(default) * f, 4) for f in (0.5, 0.9, 0.99, 1.001)]
    else:
        samples = [f"{default}x"]
    reached: set[str] = set()
    for other in samples:
        reached.update(
            k for k, _ in profile_changes(_profile(base), _profile({**base, name: other}))
        )
    return sorted(reached)


# --------------------------------------------------------------------------- markdown
def _code(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
    if isinstance(value, str):
        text = value
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _inline(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _jinja(expression: str) -> str:
    return "`" + " ".join(expression.split()).replace("|", "\\|") + "`"


def validator_messages(validator: str) -> list[str]:
    """The refusal messages of a validator (its text outside Jinja tags), placeholders as <name>."""
    parts = re.split(r"\{%-?.*?-?%\}", validator, flags=re.S)
    messages = []
    for part in parts:
        text = re.sub(r"\{\{\s*([\w.]+)[^}]*\}\}", r"<\1>", part)
        text = " ".join(text.split())
        if text:
            messages.append(text)
    return messages


def _effect_text(changes: list[tuple[str, str]]) -> str:
    shown = []
    for key, text in changes:
        shown.append(f"`{key}` {_code(text)}" if text else f"`{key}`")
    return ", ".join(shown) if shown else "nothing in the profile (templates read the answer)"


def render_markdown(copier_yml: Path = ROOT / "copier.yml") -> str:
    questions = load_questions(copier_yml)
    lines = [
        "# Questions and what they drive",
        "",
        "<!-- Generated from copier.yml and extensions/context.py by "
        "scripts/question_reference.py while the site is built: edit those, not this page. -->",
        "",
        f"The template asks {len(questions)} questions. Every answer name is public API: pass it "
        "with `copier copy --data NAME=VALUE` (or `copier update --data NAME=VALUE` later). "
        "A question with a *when* condition is asked only when it holds; otherwise it keeps its "
        "default. *Drives* lists the derived values (`profile.*`, computed in "
        "`extensions/context.py`) that change with the answer; templates read those.",
        "",
    ]
    section = None
    for title, name, spec in questions:
        if title != section:
            section = title
            lines += [f"## {title[0].upper()}{title[1:]}", ""]
        kind = "multiselect" if spec.get("multiselect") else spec.get("type", "str")
        help_text = re.sub(r"\{\{.*?\}\}", lambda m: _jinja(m[0]), _inline(spec.get("help", "")))
        lines += [f"### `{name}`", "", help_text, ""]
        lines += ["| | |", "|---|---|", f"| type | {kind} |"]
        default = spec.get("default")
        if isinstance(default, str) and "{{" in default:
            lines.append(f"| default | computed: {_jinja(default)} |")
        else:
            lines.append(f"| default | {_code(default)} |")
        if "when" in spec:
            lines.append(f"| asked when | {_jinja(str(spec['when']))} |")
        for message in validator_messages(str(spec.get("validator", ""))):
            lines.append(f"| refused when | {_inline(message)} |")
        lines.append("")
        choices = choices_of(spec)
        if choices or kind == "bool":
            effects = choice_effects(name, spec)
            if kind == "bool":
                choices = [("no", False), ("yes", True)]
            against = "selecting none" if spec.get("multiselect") else "the default"
            lines += [f"| value | meaning | drives (against {against}) |", "|---|---|---|"]
            if isinstance(default, str) and "{{" in default:
                default = _matrix().default_configuration().get(name)
            for label, value in choices:
                is_default = value == default or (isinstance(default, list) and value in default)
                mark = " (default)" if is_default else ""
                effect = (
                    _effect_text(effects[value])
                    if value in effects
                    else ("—" if is_default else "see the other answers it requires")
                )
                lines.append(f"| {_code(value)}{mark} | {_inline(label)} | {effect} |")
            lines.append("")
        else:
            reached = free_effects(name, spec)
            if reached:
                lines += [
                    "Drives (found by changing the answer): "
                    + ", ".join(f"`{p}`" for p in reached)
                    + ".",
                    "",
                ]
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- mkdocs hook
def on_files(files: Any, config: Any) -> Any:
    """Add the generated questions page to the site (mkdocs >= 1.6 ``File.generated``)."""
    from mkdocs.structure.files import File

    existing = files.get_file_from_path(PAGE)
    if existing is not None:
        files.remove(existing)
    files.append(File.generated(config, PAGE, content=render_markdown(ROOT / "copier.yml")))
    return files


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "copier.yml"
    sys.stdout.write(render_markdown(source))
