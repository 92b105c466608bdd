"""The inference log: one JSON line per answered request, for drift checks and A/B reports.

A line holds what the monitoring needs and nothing a person wrote: the variant and model that
answered, the outcome, the latency and `features`, a list of numeric rows (the model's input
vector and prediction for tabular models; request statistics for language models: lengths,
token counts, retrieval scores). Raw prompts, questions and answers are never written, so the
log carries no personal data from the text.

Writes go through the standard library's `RotatingFileHandler`: appends are serialised by its
lock, and the file is bounded (`INFERENCE_LOG_MAX_BYTES` x (1 + `INFERENCE_LOG_BACKUPS`)).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, Literal

from ..logging_setup import request_id_var

logger = logging.getLogger(__name__)

Outcome = Literal["ok", "error"]
FeatureRow = Mapping[str, float | int | str | bool | None]


class InferenceLog:
    """Append-only, size-bounded JSONL writer. Never raises into the request path."""

    def __init__(self, path: Path | None, *, max_bytes: int = 0, backups: int = 0) -> None:
        """`path=None`: a log that writes nothing (INFERENCE_LOG_PATH set empty)."""
        self.path = path
        self._handler: RotatingFileHandler | None = None
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._handler = RotatingFileHandler(
                path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
            )
        except OSError as exc:
            # Monitoring must not take the service down (e.g. a read-only filesystem).
            logger.error("inference log disabled: cannot write %s: %s", path, exc)
            return
        self._handler.setFormatter(logging.Formatter("%(message)s"))

    def write(
        self,
        *,
        route: str,
        variant: str,
        model: str,
        outcome: Outcome,
        latency_ms: float,
        features: Sequence[FeatureRow] = (),
        error_type: str | None = None,
    ) -> None:
        if self._handler is None:
            return
        entry: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id_var.get(),
            "route": route,
            "variant": variant,
            "model": model,
            "outcome": outcome,
            "latency_ms": round(latency_ms, 3),
            "features": [dict(row) for row in features],
        }
        if error_type is not None:
            entry["error_type"] = error_type
        line = json.dumps(entry, separators=(",", ":"), allow_nan=False)
        # handle() takes the handler's lock; a failed write is reported by logging, not raised.
        self._handler.handle(logging.makeLogRecord({"msg": line, "levelno": logging.INFO}))

    def close(self) -> None:
        if self._handler is not None:
            self._handler.close()


class Stopwatch:
    """Milliseconds since creation (the latency a log line records)."""

    def __init__(self) -> None:
        self._started = time.perf_counter()

    @property
    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self._started) * 1000


def log_files(path: Path) -> list[Path]:
    """The live log and its rotated backups, oldest first (`name.N` is older than `name.1`)."""
    backups = sorted(
        (p for p in path.parent.glob(path.name + ".*") if p.suffix[1:].isdigit()),
        key=lambda p: int(p.suffix[1:]),
        reverse=True,
    )
    return [*backups, *([path] if path.exists() else [])]


def read_entries(paths: Sequence[Path]) -> Iterator[dict[str, Any]]:
    """Every entry of the given files, in order; a malformed line names its file and line."""
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not a JSON line ({exc.msg})") from exc
                if not isinstance(entry, dict):
                    raise ValueError(f"{path}:{number}: expected a JSON object")
                yield entry
