"""Cut a release: check the changelog, tag HEAD, and record the tag's commit in releases.txt.

Usage: uv run python scripts/release.py 0.2.0

Git tags do not always travel with a clone, but `copier update` and the update tests need them.
So every release is also recorded in ``releases.txt`` (``vX.Y.Z <commit>``) in a follow-up
commit; ``tests/releases.py`` recreates the tags from that record in temporary clones.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def main(version: str) -> int:
    if not SEMVER.match(version):
        print(f"version {version!r} is not MAJOR.MINOR.PATCH", file=sys.stderr)
        return 2
    tag = f"v{version}"
    if git("status", "--porcelain"):
        print("the working tree is not clean; commit first", file=sys.stderr)
        return 1
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    if not re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M):
        print(f"CHANGELOG.md has no '## [{version}] - YYYY-MM-DD' section", file=sys.stderr)
        return 1
    releases = ROOT / "releases.txt"
    recorded = releases.read_text(encoding="utf-8") if releases.exists() else ""
    if re.search(rf"^{re.escape(tag)} ", recorded, re.M):
        print(f"{tag} is already recorded in releases.txt", file=sys.stderr)
        return 1
    commit = git("rev-parse", "HEAD")
    git("tag", "-a", tag, "-m", f"Release {tag}", commit)
    releases.write_text(recorded + f"{tag} {commit}\n", encoding="utf-8")
    git("add", "releases.txt")
    git("commit", "-m", f"Record release {tag} ({commit[:12]}) in releases.txt")
    print(f"tagged {tag} at {commit} and recorded it in releases.txt")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(sys.argv[1]))
