"""Released template versions, recreated from releases.txt in a temporary clone.

Git tags do not always reach a fresh clone (CI clones without them), but `copier update` needs
them. ``releases.txt`` records every release as ``vX.Y.Z <commit>``; ``template_clone`` makes a
clone of this repository's committed HEAD and recreates those tags there.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from matrix import ROOT


def recorded_releases() -> list[tuple[str, str]]:
    path = ROOT / "releases.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [(tag, commit) for tag, commit in (line.split() for line in lines if line.strip())]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def template_clone(destination: Path) -> Path:
    """A clone of the committed template with every recorded release tagged."""
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(destination)],
        check=True,
        capture_output=True,
    )
    existing = set(_git(destination, "tag", "--list").split())
    for tag, commit in recorded_releases():
        if tag not in existing:
            _git(destination, "tag", tag, commit)
    return destination
