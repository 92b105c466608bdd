"""Timings of the template lifecycle (a benchmark, not a test: nothing here passes or fails).

Reports, as a Markdown section for docs/benchmarks.md:

* ``copier copy`` wall time for the default answers and for the largest answer set -- the
  pairwise row of ``tests/matrix.py`` that renders the most files (counted by rendering every
  templated path name of ``template/`` with that row's answers and profile, then checked
  against the real copy);
* the generated default project's ``make test`` with a warmed environment (``uv sync`` from the
  uv cache first, one warm-up run, then the timed runs);
* the template suite's total time, read from a pytest junit XML file (``--suite-junit PATH``),
  or measured by running ``pytest -n 2 --dist loadgroup --junitxml`` (``--run-suite``, ~25 min).

Usage:
    uv run python benchmarks/lifecycle.py [--suite-junit FILE | --run-suite] [--write-docs]

``--write-docs`` replaces the ``## Template lifecycle`` section of docs/benchmarks.md and leaves
every other section as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import copier  # noqa: E402
from copier.errors import DirtyLocalWarning  # noqa: E402

from matrix import as_data, config_id, default_configuration, pairwise_configurations  # noqa: E402
from rendering import clean_environment, derive_profile  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Template lifecycle"
TEMPLATE = ROOT / "template"
# Free-form answers every path name may read (their defaults; the values do not decide whether a
# file exists).
NAMES = {"project_slug": "ai-service", "package_name": "ai_service"}


# --------------------------------------------------------------------------- which set is largest
def rendered_paths(config: Mapping[str, Any]) -> list[str]:
    """The files ``template/`` renders for these answers, from the templated path names alone.

    Copier skips a file or folder whose name renders empty; that is the only way this template
    makes a file conditional, so rendering the names is enough to count the files.
    """
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    answers = {**NAMES, **as_data(config)}
    context = {**answers, "profile": derive_profile(answers), "_copier_conf": {"answers_file": "x"}}
    paths = []
    for path in sorted(TEMPLATE.rglob("*")):
        if not path.is_file():
            continue
        parts = []
        for part in path.relative_to(TEMPLATE).parts:
            rendered = env.from_string(part).render(context) if "{" in part else part
            parts.append(rendered.removesuffix(".jinja"))
        if all(parts):
            paths.append("/".join(parts))
    return paths


def largest_configuration() -> tuple[dict[str, Any], int]:
    counted = [(len(rendered_paths(c)), i, c) for i, c in enumerate(pairwise_configurations())]
    count, _, config = max(counted, key=lambda t: (t[0], -t[1]))
    return config, count


# --------------------------------------------------------------------------- timings
def copy_seconds(config: Mapping[str, Any], dst: Path) -> float:
    if dst.exists():
        shutil.rmtree(dst)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)
        copier.run_copy(
            str(ROOT),
            dst,
            data=as_data(config),
            defaults=True,
            unsafe=True,
            vcs_ref="HEAD",
            quiet=True,
        )
    return time.perf_counter() - started


def file_count(project: Path) -> int:
    return sum(1 for p in project.rglob("*") if p.is_file() and ".git" not in p.parts)


def timed(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, env=dict(env), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{tail}")
    return seconds


def suite_from_junit(path: Path) -> dict[str, Any]:
    """Wall time, test count and the slowest modules of a pytest junit XML report."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    wall = sum(float(s.get("time", 0)) for s in suites)
    per_module: dict[str, float] = defaultdict(float)
    tests = 0
    failed = 0
    for case in root.iter("testcase"):
        tests += 1
        failed += any(child.tag in ("failure", "error") for child in case)
        module = (case.get("classname") or "").split(".")[-1] or "?"
        per_module[module] += float(case.get("time", 0))
    return {
        "wall_seconds": wall,
        "tests": tests,
        "failed": failed,
        "test_seconds": sum(per_module.values()),
        "modules": sorted(per_module.items(), key=lambda kv: -kv[1]),
        "stamp": suites[0].get("timestamp", "") if suites else "",
    }


def run_suite(junit: Path, workers: str) -> None:
    command = [sys.executable, "-m", "pytest", "-q", "-n", workers, "--dist", "loadgroup"]
    subprocess.run([*command, f"--junitxml={junit}"], cwd=ROOT, check=False)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"copier {copier.__version__}, {platform.system()} {platform.release()}; "
        f"load average {load} when the report was written"
    )


# --------------------------------------------------------------------------- report
def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min ({seconds:.0f} s)"


def report(args: argparse.Namespace) -> str:
    work = Path(tempfile.mkdtemp(prefix="aipt-bench-"))
    lines = [SECTION, ""]
    try:
        defaults = default_configuration()
        largest, predicted = largest_configuration()
        copies: dict[str, list[float]] = {"defaults": [], "largest": []}
        files: dict[str, int] = {}
        for _ in range(args.repeat):
            for label, config in (("defaults", defaults), ("largest", largest)):
                copies[label].append(copy_seconds(config, work / label))
                files[label] = file_count(work / label)

        project = work / "defaults"
        env = clean_environment()
        sync = timed(["uv", "sync", "--quiet"], project, env)
        warmup = timed(["make", "test"], project, env)
        runs = [timed(["make", "test"], project, env) for _ in range(args.repeat)]

        lines += [
            f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}. The machine",
            "was shared with other jobs, so the numbers are indicative; compare them relative to",
            "each other. Reproduce with:",
            "",
            "```bash",
            "make bench BENCH_ARGS='--suite-junit suite.xml --write-docs'   # suite.xml from:",
            "uv run pytest -n 2 --dist loadgroup --junitxml=suite.xml",
            "```",
            "",
            "| what | time |",
            "|---|---|",
            f"| `copier copy`, default answers ({files['defaults']} files) | "
            f"{statistics.median(copies['defaults']):.1f} s (median of {args.repeat}) |",
            f"| `copier copy`, largest pairwise answer set ({files['largest']} files) | "
            f"{statistics.median(copies['largest']):.1f} s (median of {args.repeat}) |",
            f"| generated default project: `uv sync` from a warm uv cache | {sync:.1f} s |",
            f"| generated default project: `make test`, first run | {warmup:.1f} s |",
            f"| generated default project: `make test`, warm (median of {args.repeat}) | "
            f"{statistics.median(runs):.1f} s |",
        ]
        suite = None
        if args.run_suite:
            junit = work / "suite.xml"
            run_suite(junit, args.workers)
            suite = suite_from_junit(junit)
        elif args.suite_junit:
            suite = suite_from_junit(args.suite_junit)
        if suite:
            lines.append(
                f"| template suite, `pytest -n 2 --dist loadgroup` ({suite['tests']} tests, "
                f"{suite['failed']} failed) | {minutes(suite['wall_seconds'])} wall clock; "
                f"{minutes(suite['test_seconds'])} of test time over both workers |"
            )
        lines += [
            "",
            f"The largest answer set is the pairwise row that renders the most files "
            f"({predicted} predicted from the path names, {files['largest']} in the copy): "
            f"`{config_id(largest)}`:",
            "",
            "```yaml",
            *(f"{k}: {list(v) if isinstance(v, tuple) else v}" for k, v in largest.items()),
            "```",
        ]
        if suite:
            lines += [
                "",
                "Where the suite's time goes (test time summed per module, both workers):",
                "",
                "| module | time |",
                "|---|---|",
                *(f"| `{m}` | {s:.0f} s |" for m, s in suite["modules"][:12]),
            ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return "\n".join(lines) + "\n"


def write_section(section: str, path: Path = DOCS) -> None:
    """Replace this benchmark's section of docs/benchmarks.md, keeping every other section."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--suite-junit", type=Path, help="junit XML of a template suite run")
    source.add_argument("--run-suite", action="store_true", help="run the suite (~25 min)")
    parser.add_argument("--workers", default="2", help="pytest-xdist workers for --run-suite")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions")
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS.name}")
    args = parser.parse_args(argv)
    section = report(args)
    print(section)
    if args.write_docs:
        write_section(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
