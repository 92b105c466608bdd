"""Migrations (``_migrations`` in copier.yml) are well formed and run in the update tests.

No release has renamed a generated file or an answer yet, so copier.yml has no migration; these
tests hold the rules for the first one and prove the machinery the update tests rely on:

* every entry is in Copier's current format, with a PEP 440 version above the first release (a
  migration at or below it could never run: no project is older), a command, and a known stage;
* ``upcoming_version``: HEAD of the tests' template clone is tagged with the newest migration's
  version when that is above every release, because Copier compares versions and an untagged
  HEAD is below it;
* (slow) in a throwaway clone that adds two migrations, a project generated from the last
  release and updated to HEAD runs exactly the migration newer than its version, with Copier's
  variables -- the same path ``tests/test_update.py`` takes.
"""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from copier.errors import DirtyLocalWarning
from packaging.version import InvalidVersion, Version

from releases import migrations, recorded_releases, template_clone, upcoming_version


def _problems(entry: Any, first_release: Version) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{entry!r}: use a mapping with version, command and when"]
    problems = []
    if {"before", "after"} & set(entry):
        problems.append("legacy before/after format (deprecated by Copier)")
    try:
        version = Version(str(entry.get("version")))
    except InvalidVersion:
        problems.append(f"version {entry.get('version')!r} is not a PEP 440 version")
    else:
        if version <= first_release:
            problems.append(f"version {version} can never run (first release {first_release})")
    if not entry.get("command"):
        problems.append("no command")
    when = str(entry.get("when", "{{ _stage == 'after' }}"))
    if "_stage" not in when:
        problems.append(f"when {when!r} does not choose a stage (_stage 'before' or 'after')")
    return problems


def test_migrations_are_well_formed() -> None:
    first = Version(recorded_releases()[0][0])
    problems = [
        f"_migrations[{i}]: {p}" for i, e in enumerate(migrations()) for p in _problems(e, first)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"version": "v0.1.0", "command": "true"}, "can never run"),
        ({"version": "soon", "command": "true"}, "not a PEP 440 version"),
        ({"version": "v0.3.0"}, "no command"),
        ({"version": "v0.3.0", "before": ["true"]}, "legacy"),
        ({"version": "v0.3.0", "command": "true", "when": "{{ True }}"}, "does not choose a stage"),
    ],
)
def test_the_rules_catch_bad_entries(entry: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in _problems(entry, Version("0.1.0")))


@pytest.mark.parametrize(
    ("versions", "releases", "tag"),
    [
        ([], ["v0.1.0", "v0.2.0"], None),
        (["v0.3.0"], ["v0.1.0", "v0.2.0"], "v0.3.0"),
        (["v0.2.0", "v1.0.0"], ["v0.1.0", "v0.2.0"], "v1.0.0"),
        (["v0.2.0"], ["v0.1.0", "v0.2.0"], None),  # released already: HEAD keeps its describe
    ],
)
def test_upcoming_version(versions: list[str], releases: list[str], tag: str | None) -> None:
    entries = [{"version": v, "command": "true"} for v in versions]
    assert upcoming_version(entries, releases) == tag


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.mark.slow
def test_update_runs_the_migrations_newer_than_the_project(tmp_path: Path) -> None:
    last_release = recorded_releases()[-1][0]
    upcoming = f"v{Version(last_release).major}.{Version(last_release).minor + 1}.0"
    # A throwaway clone whose HEAD adds migrations (the real copier.yml is not touched).
    source = template_clone(tmp_path / "source")
    copier_yml = source / "copier.yml"
    data = copier_yml.read_text(encoding="utf-8")
    entries = [
        {  # already released: a project at the last release must not run it again
            "version": last_release,
            "command": "touch never-$VERSION_CURRENT",
        },
        {
            "version": upcoming,
            "when": "{{ _stage == 'before' }}",
            "command": "touch migrated-$STAGE-from-$VERSION_PEP440_FROM-to-$VERSION_PEP440_TO",
        },
    ]
    copier_yml.write_text(data + "\n" + yaml.safe_dump({"_migrations": entries}), "utf-8")
    _git(source, "commit", "-qam", "add migrations")
    template = template_clone(tmp_path / "template", source=source)

    assert Version(_git(template, "describe", "--tags", "--exact-match", "HEAD")) == Version(
        upcoming
    )

    project = tmp_path / "project"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)
        copier.run_copy(
            str(template), project, defaults=True, unsafe=True, vcs_ref=last_release, quiet=True
        )
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", f"generated from {last_release}")

    copier.run_update(
        project, defaults=True, overwrite=True, unsafe=True, vcs_ref="HEAD", quiet=True
    )

    ran = sorted(p.name for p in project.iterdir() if p.name.startswith(("migrated", "never")))
    from_version = Version(last_release)
    assert ran == [f"migrated-before-from-{from_version}-to-{Version(upcoming)}"]
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["_commit"] == upcoming
