"""`python -m <package> erase`: remove, or export, the log lines of given requests.

Data subject requests (GDPR Art. 15, 17, 20; see docs/compliance/) name the requests of one person
by their request ids (the `X-Request-ID` header of every response, the `request_id` field of every
log line). This command works on JSON-lines log files — an export of the platform's log store, or
the service's own stdout captured to a file: `erase` rewrites each file without those lines (the
rewrite is atomic: a file is replaced only once its new version is complete), `--export` prints
them instead. Lines that are not JSON objects are kept as they are.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def read_request_ids(path: Path) -> frozenset[str]:
    """One request id per line; blank lines and surrounding spaces are ignored."""
    ids = frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return ids - {""}


def _request_id(line: str) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    value = record.get("request_id") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def matching_lines(lines: Iterable[str], ids: frozenset[str]) -> Iterator[str]:
    return (line for line in lines if _request_id(line) in ids)


def erase_requests(path: Path, ids: frozenset[str]) -> int:
    """Rewrite `path` without the lines of these requests; return how many were removed."""
    removed = 0
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out, path.open(encoding="utf-8") as src:
            for line in src:
                if _request_id(line) in ids:
                    removed += 1
                else:
                    out.write(line)
        os.chmod(temporary, path.stat().st_mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return removed


def _erase(args: argparse.Namespace) -> int:
    ids = read_request_ids(args.request_ids)
    missing = [str(p) for p in args.logs if not p.is_file()]
    if missing:
        print(f"erase: no such log file: {', '.join(missing)} (nothing changed)", file=sys.stderr)
        return 2
    if not ids:
        print(f"erase: {args.request_ids} holds no request id (nothing changed)", file=sys.stderr)
        return 2
    for path in args.logs:
        if args.export:
            with path.open(encoding="utf-8") as src:
                sys.stdout.writelines(matching_lines(src, ids))
        else:
            removed = erase_requests(path, ids)
            print(f"{path}: removed {removed} line(s) of {len(ids)} request id(s)", file=sys.stderr)
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    erase = subparsers.add_parser(
        "erase",
        help="remove (or --export) the log lines of given requests: data subject requests",
    )
    erase.add_argument("logs", nargs="+", type=Path, help="JSON-lines log files")
    erase.add_argument(
        "--request-ids", type=Path, required=True, help="file with one request id per line"
    )
    erase.add_argument(
        "--export", action="store_true", help="print the matching lines instead of removing them"
    )
    erase.set_defaults(handler=_erase)
