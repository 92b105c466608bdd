"""Released template versions, recreated from releases.txt in a temporary clone.

Git tags do not always reach a fresh clone (CI clones without them), but `copier update` needs
them. ``releases.txt`` records every release as ``vX.Y.Z <commit>``; ``template_clone`` makes a
clone of this repository's committed HEAD and recreates those tags there.

Migrations: Copier runs a ``_migrations`` entry of version V when updating from below V to a
version at or above V, and an untagged HEAD has the version ``git describe`` gives it
(``0.2.0.post3.dev0+...``), which is below a migration written for the coming ``0.3.0``. So when
copier.yml holds a migration newer than the last release, the clone's HEAD is tagged with that
version, as the release will be, and the update tests run the migration as users will.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from packaging.version import Version

from matrix import COPIER_YML, ROOT


def recorded_releases() -> list[tuple[str, str]]:
    path = ROOT / "releases.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [(tag, commit) for tag, commit in (line.split() for line in lines if line.strip())]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def migrations(copier_yml: Path = COPIER_YML) -> list[Any]:
    """The ``_migrations`` entries of copier.yml (an empty list when there are none)."""
    data = yaml.safe_load(copier_yml.read_text(encoding="utf-8"))
    return list(data.get("_migrations") or [])


def upcoming_version(entries: Sequence[Any], releases: Sequence[str]) -> str | None:
    """The tag HEAD gets in the clone: the newest migration's version, if above every release."""
    versions = [
        Version(str(e["version"])) for e in entries if isinstance(e, Mapping) and "version" in e
    ]
    if not versions:
        return None
    newest = max(versions)
    released = [Version(tag) for tag in releases]
    return f"v{newest}" if not released or newest > max(released) else None


def template_clone(destination: Path, source: Path = ROOT) -> Path:
    """A clone of the committed template with every recorded release tagged.

    When copier.yml (at the clone's HEAD) holds a migration newer than the last release, HEAD is
    tagged with that migration's version (see the module doc).
    """
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(source), str(destination)],
        check=True,
        capture_output=True,
    )
    existing = set(_git(destination, "tag", "--list").split())
    releases = recorded_releases()
    for tag, commit in releases:
        if tag not in existing:
            _git(destination, "tag", tag, commit)
    upcoming = upcoming_version(
        migrations(destination / "copier.yml"), [tag for tag, _ in releases]
    )
    if upcoming and upcoming not in existing:
        _git(destination, "tag", upcoming, "HEAD")
    return destination
