"""`python -m {package} audit verify|export|prune`: check, hand over and age out the trail."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..settings import get_settings
from .chain import export, prune, read_log_export, verify, verify_records


def _directory(args: argparse.Namespace) -> Path:
    return Path(args.dir) if args.dir else get_settings().audit_dir


def _when(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _verify_export(path: str) -> int:
    """The chains in a log store's export (AUDIT_STDOUT lines), one line per trail."""
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    envelopes = read_log_export(text)
    if not envelopes:
        print(f"FAIL {path}: no audit records (lines of the audit.record logger)", file=sys.stderr)
        return 1
    reports = verify_records(envelopes)
    for report in reports:
        where = f"trail {report.trail}"
        for problem in report.problems:
            print(f"FAIL {where}: {problem}", file=sys.stderr)
        if not report.problems:
            note = f"; {report.duplicates} delivered twice" if report.duplicates else ""
            if report.first_seq != 1:
                note += f"; from seq {report.first_seq}: earlier records are not in this export"
            print(
                f"ok: {where}: {report.records} records, head seq {report.head_seq} "
                f"hash {report.head_hash}{note}"
            )
    return 0 if all(not r.problems for r in reports) else 1


def _verify(args: argparse.Namespace) -> int:
    if args.records:
        return _verify_export(args.records)
    report = verify(_directory(args), expect_head=args.expect_head)
    if report.torn_tail:
        print(f"note: {report.torn_tail}")
    for problem in report.problems:
        print(f"FAIL {problem.file}:{problem.line}: {problem.message}", file=sys.stderr)
    if report.ok:
        print(f"ok: {report.records} records, head seq {report.head_seq} hash {report.head_hash}")
    return 0 if report.ok else 1


def _export(args: argparse.Namespace) -> int:
    since = _when(args.since) if args.since else None
    until = _when(args.until) if args.until else None
    directory = _directory(args)
    if args.output == "-":
        count = export(directory, sys.stdout, since=since, until=until, fmt=args.format)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            count = export(directory, out, since=since, until=until, fmt=args.format)
    print(f"exported {count} records", file=sys.stderr)
    return 0


def _prune(args: argparse.Namespace) -> int:
    days = args.retention_days or get_settings().audit_retention_days
    try:
        deleted = prune(_directory(args), days)
    except ValueError as exc:
        print(f"prune refused: {exc}", file=sys.stderr)
        return 1
    print(f"pruned {len(deleted)} segment(s) older than {days} days")
    return 0


def add_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="verify, export or prune the audit trail")
    sub = audit.add_subparsers(dest="audit_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", help="audit directory (default: AUDIT_DIR)")

    check = sub.add_parser("verify", parents=[common], help="check every record's hash chain")
    check.add_argument(
        "--expect-head", help="a head hash recorded earlier (logs): detects a truncated tail"
    )
    check.add_argument(
        "--records",
        metavar="EXPORT",
        help="check the records in a log store's export instead (AUDIT_STDOUT lines; - = stdin)",
    )
    check.set_defaults(handler=_verify)

    out = sub.add_parser("export", parents=[common], help="records of a time range, for inspectors")
    out.add_argument("--since", help="ISO time, inclusive (UTC if no offset)")
    out.add_argument("--until", help="ISO time, exclusive")
    out.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    out.add_argument("--output", default="-", help="file (default: standard output)")
    out.set_defaults(handler=_export)

    old = sub.add_parser("prune", parents=[common], help="delete days past the retention period")
    old.add_argument("--retention-days", type=int, help="default: AUDIT_RETENTION_DAYS")
    old.set_defaults(handler=_prune)
