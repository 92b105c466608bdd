"""The hash chain on disk: daily JSONL segments, verification, retention and export.

Each record carries `seq`, `prev_hash` (the previous record's `hash`) and `hash` = SHA-256 of the
record's canonical JSON without `hash`. Records live in `audit-YYYY-MM-DD.jsonl` files (UTC day);
the chain runs across them. Pruning deletes whole old segments and writes the last pruned
record's `seq` and `hash` to `checkpoint.json` (and appends it to `checkpoints.jsonl`), so the
remaining chain still verifies from that anchor.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

GENESIS = "0" * 64
SEGMENT_PREFIX = "audit-"
CHECKPOINT = "checkpoint.json"
CHECKPOINT_HISTORY = "checkpoints.jsonl"
EXPORT_COLUMNS = (
    "seq", "ts", "request_id", "subject", "auth_method", "key_id", "tenant", "method", "route",
    "status", "decision", "reason", "model", "model_version", "variant", "prompt_tokens",
    "completion_tokens", "cost_usd", "latency_ms", "redactions", "policy", "hash",
)  # fmt: skip


def canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in record.items() if k != "hash"})).hexdigest()


def seal(record: dict[str, Any], *, seq: int, prev_hash: str) -> dict[str, Any]:
    sealed = {**record, "seq": seq, "prev_hash": prev_hash}
    sealed["hash"] = record_hash(sealed)
    return sealed


def segment_name(day: date) -> str:
    return f"{SEGMENT_PREFIX}{day.isoformat()}.jsonl"


def segments(directory: Path) -> list[Path]:
    """The segment files, oldest first (ISO dates sort as text)."""
    return sorted(directory.glob(f"{SEGMENT_PREFIX}*.jsonl"))


def segment_day(path: Path) -> date:
    return date.fromisoformat(path.stem.removeprefix(SEGMENT_PREFIX))


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Anchor:
    """Where the chain on disk starts: genesis, or the last record pruned away."""

    seq: int = 0
    hash: str = GENESIS

    @classmethod
    def read(cls, directory: Path) -> Anchor:
        path = directory / CHECKPOINT
        if not path.exists():
            return cls()
        data = json.loads(path.read_text("utf-8"))
        return cls(seq=int(data["seq"]), hash=str(data["hash"]))


@dataclass
class Problem:
    file: str
    line: int
    message: str


@dataclass
class Report:
    records: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)
    torn_tail: str | None = None  # an unfinished last line: a write the crash interrupted

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(directory: Path, *, expect_head: str | None = None) -> Report:
    """Check every record's hash and link; report the first break of each kind precisely."""
    anchor = Anchor.read(directory)
    report = Report(head_seq=anchor.seq, head_hash=anchor.hash)
    files = segments(directory)
    seen_heads: set[str] = set()
    for index, path in enumerate(files):
        data = path.read_bytes()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:  # no final newline: the last line was being written
            torn = lines.pop()
            if index == len(files) - 1:
                report.torn_tail = (
                    f"{path.name}: {len(torn)} bytes of an unfinished last record (a write cut "
                    "by a crash before it was acknowledged); the service removes it on restart"
                )
            else:
                report.problems.append(Problem(path.name, len(lines) + 1, "unterminated record"))
        for number, raw in enumerate(lines, start=1):
            try:
                record = json.loads(raw)
            except json.JSONDecodeError:
                report.problems.append(Problem(path.name, number, "not a JSON record"))
                return report
            if record.get("prev_hash") != report.head_hash:
                report.problems.append(
                    Problem(
                        path.name,
                        number,
                        f"chain broken: prev_hash does not match record seq {report.head_seq} "
                        "(a record was removed, inserted or reordered)",
                    )
                )
                return report
            if record.get("seq") != report.head_seq + 1:
                report.problems.append(
                    Problem(path.name, number, f"sequence gap: expected seq {report.head_seq + 1}")
                )
                return report
            if record_hash(record) != record.get("hash"):
                report.problems.append(
                    Problem(path.name, number, "hash mismatch: the record was edited")
                )
                return report
            report.records += 1
            report.head_seq = record["seq"]
            report.head_hash = record["hash"]
            seen_heads.add(record["hash"])
    if expect_head is not None and expect_head not in seen_heads | {anchor.hash}:
        report.problems.append(
            Problem(
                "-",
                0,
                f"expected head {expect_head[:16]}… is not in the chain: records after it "
                "were truncated, or it belongs to another trail",
            )
        )
    return report


def iter_records(directory: Path) -> Iterator[dict[str, Any]]:
    """Every complete record, oldest first (an unfinished last line is skipped)."""
    for path in segments(directory):
        with path.open("rb") as handle:
            for raw in handle:
                if raw.endswith(b"\n"):
                    yield json.loads(raw)


def export(
    directory: Path,
    out: TextIO,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    fmt: str = "jsonl",
) -> int:
    """Write the records with since <= ts < until to `out` as JSONL or CSV; return the count."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    if fmt == "csv":
        writer.writeheader()
    count = 0
    for record in iter_records(directory):
        ts = datetime.fromisoformat(record["ts"])
        if (since and ts < since) or (until and ts >= until):
            continue
        if fmt == "csv":
            row = dict(record)
            for key in ("redactions", "policy"):
                if isinstance(row.get(key), dict | list):
                    row[key] = json.dumps(row[key], sort_keys=True)
            writer.writerow(row)
        else:
            out.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        count += 1
    return count


def prune(directory: Path, retention_days: int, *, now: datetime | None = None) -> list[Path]:
    """Delete segments older than the retention period, keeping the rest verifiable.

    Refuses to prune a chain that does not verify (that would destroy the evidence). Today's
    segment is never pruned. Returns the deleted files.
    """
    report = verify(directory)
    if not report.ok:
        first = report.problems[0]
        raise ValueError(
            f"audit trail does not verify ({first.file}:{first.line}: {first.message}); "
            "nothing pruned"
        )
    today = (now or datetime.now(UTC)).date()
    cutoff = today - timedelta(days=retention_days)
    expired = [p for p in segments(directory) if segment_day(p) < cutoff and segment_day(p) < today]
    if not expired:
        return []
    last: dict[str, Any] | None = None
    with expired[-1].open("rb") as handle:
        for raw in handle:
            if raw.endswith(b"\n"):
                last = json.loads(raw)
    if last is not None:
        checkpoint = {
            "seq": last["seq"],
            "hash": last["hash"],
            "ts": last["ts"],
            "pruned_through": segment_day(expired[-1]).isoformat(),
            "pruned_at": datetime.now(UTC).isoformat(),
            "retention_days": retention_days,
        }
        text = json.dumps(checkpoint, sort_keys=True)
        with (directory / CHECKPOINT_HISTORY).open("a", encoding="utf-8") as history:
            history.write(text + "\n")
            history.flush()
            os.fsync(history.fileno())
        temporary = directory / (CHECKPOINT + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(directory / CHECKPOINT)
        fsync_directory(directory)
    for path in expired:
        path.unlink()
    fsync_directory(directory)
    return expired
