"""Where the stages read and write: one directory (params.yaml `work_dir`), one file per output.

dvc.yaml names the same paths as the stages' dependencies and outputs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

STAGES: Final = ("ingest", "validate", "prepare", "build", "evaluate", "promote")


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def ingested(self) -> Path:
        """The ingested data snapshot (its hash is the data version of the run)."""
        return self.root / "ingested"

    @property
    def validation_report(self) -> Path:
        return self.root / "validation-report.json"

    @property
    def prepared(self) -> Path:
        return self.root / "prepared"

    @property
    def candidate(self) -> Path:
        return self.root / "candidate"

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.json"

    @property
    def evaluation(self) -> Path:
        """Every golden item's result (prompt, answer, scores, findings) of the last evaluation."""
        return self.root / "evaluation.json"

    @property
    def promotion_report(self) -> Path:
        return self.root / "promotion-report.md"

    def data_version(self) -> str:
        """MD5 over the ingested files (names and bytes): what DVC records for the snapshot."""
        digest = hashlib.md5(usedforsecurity=False)
        for path in sorted(p for p in self.ingested.rglob("*") if p.is_file()):
            digest.update(path.relative_to(self.ingested).as_posix().encode("utf-8"))
            digest.update(path.read_bytes())
        return digest.hexdigest()


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
