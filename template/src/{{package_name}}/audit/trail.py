"""Appending to the audit trail: durable before the response completes, at full request rate.

`append` returns once the record is written and fsync'ed. Concurrent requests are committed in
groups (one write and one fsync for every record waiting), in a worker thread so the event loop
never blocks on the disk. One process writes a trail: an exclusive lock on `.writer.lock` makes a
second writer fail at once instead of forking the chain (give each replica its own AUDIT_DIR).

With `stdout=True` (AUDIT_STDOUT) every record, once on disk, is also logged on standard output
as one JSON line of the `audit.record` logger, with the trail's id: where a replica's disk lives
only as long as the replica (a pod's emptyDir, a function's /tmp), the platform's log pipeline
keeps the records, and `audit verify --records` checks the chains in what the log store returns.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from anyio import to_thread

from .chain import (
    RECORD_LOGGER,
    Anchor,
    canonical,
    fsync_directory,
    seal,
    segment_name,
    segments,
    trail_id,
)

logger = logging.getLogger(__name__)
record_logger = logging.getLogger(RECORD_LOGGER)


class AuditTrailLocked(RuntimeError):
    """Another process is writing this audit trail."""


class AuditTrail:
    def __init__(self, directory: Path, *, stdout: bool = False) -> None:
        self.directory = directory
        self.stdout = stdout
        self.trail_id = ""
        self._lock_file: BinaryIO | None = None
        self._file: BinaryIO | None = None
        self._day: str | None = None
        self._seq = 0
        self._head = Anchor().hash
        self._pending: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._drainer: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ synchronous core
    def open(self) -> None:
        """Lock the trail, drop an unfinished last line left by a crash, find the head."""
        if self._lock_file is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        lock = (self.directory / ".writer.lock").open("ab")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            lock.close()
            raise AuditTrailLocked(
                f"another process writes the audit trail in {self.directory}; "
                "give each replica its own AUDIT_DIR"
            ) from exc
        self._lock_file = lock
        self.trail_id = trail_id(self.directory)
        anchor = Anchor.read(self.directory)
        self._seq, self._head = anchor.seq, anchor.hash
        files = segments(self.directory)
        if files:
            torn = self._recover(files[-1])
            if torn:
                self._write([{"type": "recovery", "ts": _now(), "truncated_bytes": torn}])

    def _recover(self, path: Path) -> int:
        """Read the last segment's head; cut an unfinished last line. Returns bytes cut."""
        data = path.read_bytes()
        end = data.rfind(b"\n") + 1
        torn = len(data) - end
        if torn:
            logger.warning(
                "audit trail: removing %d bytes of an unfinished record at the end of %s "
                "(a write interrupted by a crash, never acknowledged)",
                torn,
                path.name,
            )
            with path.open("r+b") as handle:
                handle.truncate(end)
                os.fsync(handle.fileno())
        last = data[:end].rstrip(b"\n").rsplit(b"\n", 1)[-1]
        if last:
            record = json.loads(last)
            self._seq, self._head = int(record["seq"]), str(record["hash"])
        return torn

    def _segment(self) -> BinaryIO:
        day = datetime.now(UTC).date()
        if self._file is None or self._day != day.isoformat():
            if self._file is not None:
                self._file.close()
            path = self.directory / segment_name(day)
            new = not path.exists()
            self._file = path.open("ab")
            self._day = day.isoformat()
            if new:
                fsync_directory(self.directory)  # the new file's name survives a crash too
        return self._file

    def _write(self, records: list[dict[str, Any]]) -> None:
        """Seal, write and fsync a group of records (worker thread or CLI; one at a time)."""
        self.open()
        handle = self._segment()
        lines = []
        sealed_records = []
        seq, head = self._seq, self._head
        for record in records:
            seq += 1
            sealed = seal(record, seq=seq, prev_hash=head)
            head = sealed["hash"]
            sealed_records.append(sealed)
            lines.append(canonical(sealed) + b"\n")
        try:
            handle.write(b"".join(lines))
            handle.flush()
            os.fsync(handle.fileno())
        except OSError:
            self.close()  # the next write reopens and cuts whatever part of this one landed
            raise
        self._seq, self._head = seq, head
        if self.stdout:
            for sealed in sealed_records:
                record_logger.info(
                    "audit record",
                    extra={
                        "audit_trail": self.trail_id,
                        "audit": sealed,
                        "request_id": sealed.get("request_id") or "-",
                    },
                )

    @property
    def head(self) -> tuple[int, str]:
        return self._seq, self._head

    def close(self) -> None:
        if self._lock_file is not None:
            logger.info("audit trail closed at seq %d head %s", self._seq, self._head)
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # ------------------------------------------------------------------ asynchronous API
    async def append(self, record: dict[str, Any]) -> None:
        """Return once `record` is on disk (fsync'ed); raise if it could not be written."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((record, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await to_thread.run_sync(self._write, [record for record, _ in batch])
            except Exception as exc:
                logger.exception("audit trail write failed")
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
