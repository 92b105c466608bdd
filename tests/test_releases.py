"""Every release recorded in releases.txt is a real commit with a changelog section."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _records() -> list[tuple[str, str]]:
    path = ROOT / "releases.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [tuple(line.split()) for line in lines if line.strip()]  # type: ignore[misc]


def test_releases_are_recorded_commits_with_changelog_sections() -> None:
    records = _records()
    assert records, "releases.txt records no release"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for tag, commit in records:
        assert re.fullmatch(r"v\d+\.\d+\.\d+", tag), tag
        assert re.fullmatch(r"[0-9a-f]{40}", commit), commit
        kind = subprocess.run(
            ["git", "cat-file", "-t", commit], cwd=ROOT, capture_output=True, text=True
        )
        assert kind.stdout.strip() == "commit", f"{tag}: {commit} is not a commit of this history"
        assert re.search(
            rf"^## \[{re.escape(tag[1:])}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M
        )
        shown = subprocess.run(
            ["git", "show", f"{commit}:copier.yml"], cwd=ROOT, capture_output=True, text=True
        )
        assert shown.returncode == 0
        assert "_subdirectory: template" in shown.stdout


def test_releases_are_in_order() -> None:
    versions = [tuple(int(p) for p in tag[1:].split(".")) for tag, _ in _records()]
    assert versions == sorted(versions)
    assert len(set(versions)) == len(versions)
