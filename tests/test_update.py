"""`copier update` from every recorded release to HEAD keeps a team's edits and loses nothing.

Every answer set from the latest release, and each older release in releases.txt with one answer
set in turn (``update_cases``): render the project at that release, commit it, make the edits a
team makes (code in the package, a README section, a deleted optional doc, a new module), then
`copier update` to HEAD while changing a KPI answer. `copier update` exits 0 even when it leaves
conflicts, so the test looks at the files and at `git status` itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import tomllib
import warnings
from pathlib import Path
from typing import Any

import copier
import pytest
from copier.errors import DirtyLocalWarning

from matrix import ROOT
from releases import recorded_releases, template_clone
from rendering import clean_environment, code_checks_once, derive_profile, read_answers

ANSWER_SETS: dict[str, dict[str, Any]] = {
    "rag-qdrant-k8s": {"use_case": "rag_assistant", "vector_store": "qdrant"},
    "llm-anthropic-serverless-gitlab": {
        "use_case": "llm_service",
        "llm_provider": "anthropic",
        "hosting": "serverless",
        "cloud": "gcp",
        "ci_provider": "gitlab_ci",
        "compliance": ["gdpr", "dora"],
    },
    "tabular-onprem-vault": {
        "use_case": "tabular_ml",
        "cloud": "on_prem",
        "secrets_backend": "vault",
        "compliance": [],
        "ab_testing": True,
        "challenger_traffic_percent": 20,
    },
}
TEAM_SECTION = "## Team notes\n\nOn-call rota lives in the wiki.\n"
TEAM_CODE = '\n\ndef team_helper() -> str:\n    return "kept by the team"\n'
DELETED = "docs/ethical-use.md"
NEW_LATENCY = 500


def _git(project: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=Team", "-c", "user.email=team@example.com", *args],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout


def _copy(template: Path, dst: Path, data: dict[str, Any], ref: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)
        copier.run_copy(
            str(template), dst, data=data, defaults=True, unsafe=True, vcs_ref=ref, quiet=True
        )


def _update(project: Path, data: dict[str, Any]) -> None:
    copier.run_update(
        project,
        data=data,
        defaults=True,
        overwrite=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
        skip_tasks=True,
    )


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _team_edits(project: Path) -> None:
    package = read_answers(project)["package_name"]
    readme = project / "README.md"
    title, _, rest = readme.read_text(encoding="utf-8").partition("\n")
    readme.write_text(f"{title}\n\n{TEAM_SECTION}{rest}", encoding="utf-8")
    logging_setup = project / "src" / package / "logging_setup.py"
    logging_setup.write_text(logging_setup.read_text(encoding="utf-8") + TEAM_CODE)
    (project / "src" / package / "team_extension.py").write_text('"""Ours."""\n')
    (project / DELETED).unlink()
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "team edits")


def update_cases(tags: list[str], names: list[str]) -> list[tuple[str, str]]:
    """Which (release, answer set) updates to run: every answer set from the latest release (the
    update most teams make), and each older release with one answer set, in turn, so that every
    release and every answer set is updated from. All releases times all answer sets would grow
    the suite by a whole answer set of renders with every release for little more coverage: the
    files an older release differs in are the same whatever the answers."""
    if not tags:
        return []
    *older, latest = tags
    cases = [(latest, name) for name in names]
    cases += [(tag, names[i % len(names)]) for i, tag in enumerate(reversed(older))]
    return cases


CASES = [
    pytest.param(tag, name, id=f"{tag}-{name}")
    for tag, name in update_cases([tag for tag, _ in recorded_releases()], list(ANSWER_SETS))
]


def test_update_cases_cover_every_release_and_answer_set() -> None:
    tags = [f"v0.{i}.0" for i in range(1, 6)]
    cases = update_cases(tags, ["a", "b", "c"])
    assert {tag for tag, _ in cases} == set(tags)
    assert {(tags[-1], name) for name in "abc"} <= set(cases)
    assert {name for tag, name in cases if tag != tags[-1]} == {"a", "b", "c"}
    assert len(cases) == 3 + 4
    assert update_cases(tags[:1], ["a", "b"]) == [("v0.1.0", "a"), ("v0.1.0", "b")]
    assert update_cases([], ["a"]) == []


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_clone(tmp_path_factory.mktemp("template") / "repo")


@pytest.mark.slow
@pytest.mark.parametrize(("tag", "name"), CASES)
def test_update_from_release_keeps_team_edits(
    tmp_path: Path,
    template: Path,
    tag: str,
    name: str,
    generated_env: Path,
    mypy_cache: Path,
    short_tmp: Path,
    passed_code_trees: Path,
) -> None:
    answers = ANSWER_SETS[name]
    project = tmp_path / "project"
    _copy(template, project, answers, tag)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", f"generated from {tag}")
    _team_edits(project)

    _update(project, {"latency_p95_ms": NEW_LATENCY})

    status = _git(project, "status", "--porcelain")
    assert not [line for line in status.splitlines() if line[:2] in ("UU", "AA", "DU", "UD")]
    files = _files(project)
    assert not [p for p in files if p.endswith(".rej")], "update left .rej files"
    markers = [
        p for p, data in files.items() if b"\n<<<<<<< " in data or data.startswith(b"<<<<<<< ")
    ]
    assert not markers, f"conflict markers in {markers}"

    package = read_answers(project)["package_name"]
    assert TEAM_SECTION in (project / "README.md").read_text(encoding="utf-8")
    assert TEAM_CODE in (project / "src" / package / "logging_setup.py").read_text()
    assert (project / "src" / package / "team_extension.py").is_file()
    assert not (project / DELETED).exists(), "a file the team deleted came back"
    assert read_answers(project)["latency_p95_ms"] == NEW_LATENCY
    assert f"latency_p95_ms: {NEW_LATENCY}" in (project / "src" / package / "kpis.yaml").read_text()

    # Untouched files equal a fresh copy of HEAD with the same answers.
    fresh = tmp_path / "fresh"
    _copy(template, fresh, {**answers, "latency_p95_ms": NEW_LATENCY}, "HEAD")
    edited = {"README.md", f"src/{package}/logging_setup.py", ".copier-answers.yml"}
    expected = {p: data for p, data in _files(fresh).items() if p not in edited and p != DELETED}
    got = {p: data for p, data in files.items() if p in expected}
    differing = sorted(p for p in expected if got.get(p) != expected[p])
    assert not differing, f"differ from a fresh copy: {differing[:10]}"

    # A second update is a no-op.
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "update")
    _update(project, {})
    assert _git(project, "status", "--porcelain") == ""

    # The updated project passes its own checks. Updates of the same answers from different
    # releases end in the same tree (checked above against a fresh copy): the checks run once
    # per distinct code tree (rendering.code_checks_once) and a repeat says whose result it is.
    env = clean_environment(
        UV_PROJECT_ENVIRONMENT=str(generated_env),
        UV_NO_SYNC="1",
        MYPY_CACHE_DIR=str(mypy_cache),
        TMPDIR=str(short_tmp),
    )
    outcomes, reused = code_checks_once(project, env, passed_code_trees, f"update {tag} {name}")
    if reused:
        print(f"\nupdate {tag} {name}: make lint typecheck test: same tree as {reused}, passed")
    failed = [o for o in outcomes if not o.ok]
    assert not failed, "\n\n".join(o.summary() for o in failed)


@pytest.mark.slow
def test_conflicting_edit_is_refused_by_the_generated_pre_commit(
    tmp_path: Path, template: Path, generated_env: Path
) -> None:
    """A team edit on a line the template also changed conflicts, and the hooks refuse it."""
    tag = recorded_releases()[0][0]
    project = tmp_path / "project"
    _copy(template, project, {}, tag)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", f"generated from {tag}")
    makefile = project / "Makefile"
    lines = makefile.read_text(encoding="utf-8").splitlines(keepends=True)
    ci_line = next(i for i, line in enumerate(lines) if line.startswith("ci:"))
    lines[ci_line] = "ci: lint typecheck test infra-check coverage ## Everything CI runs\n"
    makefile.write_text("".join(lines), encoding="utf-8")
    _git(project, "commit", "-q", "-am", "team: coverage in ci")

    _update(project, {})

    text = makefile.read_text(encoding="utf-8")
    assert "<<<<<<< " in text, "the template changed the ci line since the first release"
    assert "coverage" in text  # the team's side is kept inside the conflict
    _git(project, "add", "-A")
    hooks = subprocess.run(
        [
            str(generated_env / "bin" / "pre-commit"),
            "run",
            "conflict-markers",
            "--files",
            "Makefile",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env=clean_environment(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home")),
        check=False,
    )
    assert hooks.returncode != 0, hooks.stdout + hooks.stderr
    assert "Makefile" in hooks.stdout


# --------------------------------------------------------------------------- make update
FAKE_GIT = r"""#!/usr/bin/env bash
# git, except that `copier update` stops where FAKE_GIT_STOP says: after it rendered the new
# release over the working tree, before it merged the team's changes back (`git apply`).
case " $* " in
  *" status --ignored "*)
    if [ "${FAKE_GIT_STOP:-}" = crash ]; then echo "fatal: simulated crash" >&2; exit 128; fi ;;
  *" apply "*)
    if [ "${FAKE_GIT_STOP:-}" = ctrl-c ]; then : >"$FAKE_GIT_MARKER"; exec sleep 300; fi ;;
esac
exec "$REAL_GIT" "$@"
"""
NEXT_RELEASE_LINE = "\nA line the next template release adds.\n"


def test_make_update_runs_the_copier_the_template_is_built_with() -> None:
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dev = pins["dependency-groups"]["dev"] + pins["project"].get("dependencies", [])
    tooling = derive_profile({})["template_tooling"]
    assert f"copier=={tooling['copier']}" in dev
    assert f"copier-template-extensions=={tooling['copier_template_extensions']}" in dev
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        f"uvx --with copier-template-extensions=={tooling['copier_template_extensions']} "
        f"copier@{tooling['copier']}"
    ) in readme


# `make update` as a terminal's foreground job runs it: SIGINT at its default disposition. (A job
# started in the background of a non-interactive shell, as CI may start the suite, inherits SIGINT
# ignored, and an ignored signal cannot be trapped; the shim resets it, then execs make.)
FOREGROUND = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


def _make_update(project: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", FOREGROUND, "make", "update", "ARGS=--vcs-ref HEAD"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["crash", "ctrl-c"])
def test_an_interrupted_make_update_loses_nothing(tmp_path: Path, stop: str) -> None:
    template = template_clone(tmp_path / "template")
    project = tmp_path / "project"
    _copy(template, project, {}, "HEAD")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "generated")
    _team_edits(project)
    package = read_answers(project)["package_name"]
    team_code = project / "src" / package / "logging_setup.py"
    # The next template release: one line more in a document the team did not touch.
    doc = template / "template" / "docs" / "architecture.md.jinja"
    doc.write_text(doc.read_text(encoding="utf-8") + NEXT_RELEASE_LINE, encoding="utf-8")
    _git(template, "commit", "-q", "-am", "next release")

    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "git").write_text(FAKE_GIT)
    (fake_bin / "git").chmod(0o755)
    marker = tmp_path / "stopped-at-apply"
    env = clean_environment(
        PATH=f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
        REAL_GIT=str(shutil.which("git")),
        COPIER=f"{sys.executable} -m copier",
        FAKE_GIT_MARKER=str(marker),
    )

    # A dirty tree is refused before anything starts.
    readme = project / "README.md"
    committed_readme = readme.read_text(encoding="utf-8")
    readme.write_text(committed_readme + "work in progress\n", encoding="utf-8")
    dirty = _make_update(project, env)
    output, _ = dirty.communicate(timeout=120)
    assert dirty.returncode != 0
    assert "uncommitted changes; commit or stash them first" in output
    assert readme.read_text(encoding="utf-8").endswith("work in progress\n")
    readme.write_text(committed_readme, encoding="utf-8")

    start = _git(project, "rev-parse", "HEAD")
    before = _files(project)
    update = _make_update(project, {**env, "FAKE_GIT_STOP": stop})
    if stop == "ctrl-c":
        for _ in range(1200):  # copier reaches the merge within seconds
            if marker.exists() or update.poll() is not None:
                break
            threading.Event().wait(0.1)
        assert marker.exists(), update.communicate()[0]
        # The moment that matters: the new release is on disk, the team's code is not.
        assert TEAM_CODE not in team_code.read_text(encoding="utf-8")
        os.killpg(update.pid, signal.SIGINT)
    try:
        output, _ = update.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(update.pid, signal.SIGKILL)
        pytest.fail(f"make update did not stop:\n{update.communicate()[0]}")
    assert update.returncode != 0, output
    assert "the project is back at" in output, output
    assert "nothing was lost" in output
    assert _git(project, "rev-parse", "HEAD") == start
    assert _git(project, "status", "--porcelain") == ""
    assert _files(project) == before  # the team's edits, every file, byte for byte

    # Run again: the update goes through and keeps the team's edits.
    again = _make_update(project, env)
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output
    assert "update: done" in output
    assert TEAM_CODE in team_code.read_text(encoding="utf-8")
    assert (
        (project / "docs" / "architecture.md")
        .read_text(encoding="utf-8")
        .endswith(NEXT_RELEASE_LINE)
    )
