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
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

GENESIS = "0" * 64
SEGMENT_PREFIX = "audit-"
CHECKPOINT = "checkpoint.json"
CHECKPOINT_HISTORY = "checkpoints.jsonl"
TRAIL_ID = "trail-id"
# The logger whose lines carry each record to standard output (AUDIT_STDOUT): one JSON line per
# record, {"logger": "audit.record", "audit_trail": <trail id>, "audit": <record>, ...}.
RECORD_LOGGER = "audit.record"
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


def trail_id(directory: Path) -> str:
    """The trail's identity: made once, when the trail starts, and kept in its directory.

    Each replica writes its own trail (its own chain from seq 1); the id tells their records
    apart once they are mixed in a log store.
    """
    path = directory / TRAIL_ID
    try:
        return path.read_text("utf-8").strip()
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / (TRAIL_ID + ".tmp")
    temporary.write_text(uuid.uuid4().hex + "\n", "utf-8")
    temporary.replace(path)
    fsync_directory(directory)
    return path.read_text("utf-8").strip()


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


# ------------------------------------------------------------------- records from a log store
def _as_envelope(value: Any) -> dict[str, Any] | None:
    """`value` as an audit log line (a mapping, or a string holding one), else None."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    if (
        isinstance(value, dict)
        and value.get("logger") == RECORD_LOGGER
        and isinstance(value.get("audit"), dict)
    ):
        return value
    return None


def _envelopes(value: Any) -> Iterator[dict[str, Any]]:
    """Every audit log line (a mapping with `audit_trail` and `audit`) inside a JSON value.

    Log stores hand lines back wrapped: CloudWatch in `events[].message` (the line as a string),
    Cloud Logging in `[].jsonPayload`, Log Analytics in a column. Strings that hold JSON objects
    are opened, mappings and lists searched. One log event may carry its line twice (Fluent Bit
    keeps the raw `log` and the parsed `log_processed`): within an event it counts once.
    """
    own = _as_envelope(value)
    if own is not None:
        yield own
    elif isinstance(value, dict):
        seen: set[bytes] = set()
        for item in value.values():
            envelope = _as_envelope(item)
            if envelope is None:
                yield from _envelopes(item)
            elif (key := canonical(envelope["audit"])) not in seen:
                seen.add(key)
                yield envelope
    elif isinstance(value, list):
        for item in value:
            yield from _envelopes(item)
    elif isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            yield from _envelopes(json.loads(value))
        except json.JSONDecodeError:
            return


def read_log_export(text: str) -> list[dict[str, Any]]:
    """The audit log lines in an export: one JSON document, or JSON lines mixed with others."""
    try:
        return list(_envelopes(json.loads(text)))
    except json.JSONDecodeError:
        pass
    found: list[dict[str, Any]] = []
    for line in text.splitlines():
        try:
            found.extend(_envelopes(json.loads(line)))
        except json.JSONDecodeError:
            continue  # a plain-text line of another program
    return found


@dataclass
class TrailReport:
    trail: str
    records: int = 0
    first_seq: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


def verify_records(envelopes: Iterable[dict[str, Any]]) -> list[TrailReport]:
    """Check the chains in records taken from a log store, one report per trail.

    Log pipelines deliver at least once and in any order: records are grouped by trail, ordered
    by `seq`, and an exact duplicate counts once. Within a trail every hash must match, and from
    its first record on every `seq` must follow and every `prev_hash` link; an export that starts
    after seq 1 (a time range) is fine. Two different records with one `seq`, a missing `seq` or a
    broken link are problems.
    """
    trails: dict[str, dict[int, dict[str, Any]]] = {}
    reports: dict[str, TrailReport] = {}
    for envelope in envelopes:
        name = str(envelope.get("audit_trail", "-"))
        record = envelope["audit"]
        report = reports.setdefault(name, TrailReport(name))
        by_seq = trails.setdefault(name, {})
        seq = record.get("seq")
        if not isinstance(seq, int):
            report.problems.append("a record without a sequence number")
            continue
        if record_hash(record) != record.get("hash"):
            report.problems.append(f"seq {seq}: hash mismatch: the record was edited")
            continue
        if seq in by_seq:
            if by_seq[seq]["hash"] == record["hash"]:
                report.duplicates += 1
            else:
                report.problems.append(f"seq {seq}: two different records with this number")
            continue
        by_seq[seq] = record
    for name, by_seq in trails.items():
        report = reports[name]
        previous: dict[str, Any] | None = None
        for seq in sorted(by_seq):
            record = by_seq[seq]
            if previous is None:
                report.first_seq = seq
                if seq == 1 and record.get("prev_hash") != GENESIS:
                    report.problems.append("seq 1: does not start from the genesis hash")
            elif seq != previous["seq"] + 1:
                report.problems.append(
                    f"seq {previous['seq'] + 1}-{seq - 1} missing: records were lost or removed"
                )
            elif record.get("prev_hash") != previous["hash"]:
                report.problems.append(f"seq {seq}: chain broken: prev_hash does not match")
            previous = record
            report.records += 1
            report.head_seq, report.head_hash = seq, record["hash"]
    return [reports[name] for name in sorted(reports)]


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
