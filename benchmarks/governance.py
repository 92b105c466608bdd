"""The governance tax: what the generated service adds over its model upstream, against LiteLLM.

One run, on loopback, against ONE fake OpenAI-compatible upstream (``fake_openai.py``):

  (a) the upstream called directly;
  (b) a generated ``llm_service`` project (openai provider), ``python -m <package> serve`` on
      uvicorn with one worker, every governance feature its settings know switched on
      (``governance_env`` below is the one place that says how);
  (c) the LiteLLM proxy (``litellm[proxy]`` in its own venv, one worker) in front of the same
      upstream, with its master-key auth and JSON logging.

Each target gets the same warm-up, then the same ``--requests`` POSTs of one chat completion at a
fixed ``--concurrency`` from ``hey`` (a Go load generator: ``apt-get install hey``), in a separate
process from the servers. Reported per target: throughput, p50 and p99 latency, errors; and the
p50/p99 that (b) and (c) add over (a). Results go to ``benchmarks/results/governance-<time>.json``
and, with ``--write-docs``, to the governance section of ``docs/benchmarks.md``.

    make bench-governance                      # or:
    uv run python benchmarks/governance.py --requests 3000 --concurrency 16 --write-docs

Not a test: numbers depend on the machine and on whatever else runs on it (the load average at
the start is recorded). Nothing is downloaded at run time except, on the first run, the
generated project's and LiteLLM's packages from PyPI through ``uv``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from rendering import clean_environment, render  # noqa: E402  (tests/ is not a package)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
LITELLM_REQUIREMENT = "litellm[proxy]==1.108.7"
LITELLM_VENV = ROOT / ".cache" / "bench-litellm"
SECTION_BEGIN = "<!-- governance-benchmark:begin -->"
SECTION_END = "<!-- governance-benchmark:end -->"

API_KEY = "bench-0f3c9a7d2e6b4c18a5d0e9f7b3c2a1d4"  # the one client key of (b) and (c)
PACKAGE = "bench_service"
# One chat completion with the kinds of personal data the PII layer must find (synthetic).
REQUEST = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "system", "content": "You are a helpful banking assistant."},
        {
            "role": "user",
            "content": "Hello, I am Jane Doe (jane.doe@example.com, +44 20 7946 0958). My IBAN "
            "is GB82 WEST 1234 5698 7654 32. Is my account in good standing?",
        },
    ],
    "max_tokens": 64,
}


# --------------------------------------------------------------------------- governance settings
def governance_env(project: Path, upstream: str) -> tuple[dict[str, str], dict[str, str]]:
    """THE place that switches governance on in the generated service.

    Returns (environment, feature -> status). A feature is configured only when the rendered
    project's settings know it (so the harness runs on any version of the template); after the
    governance work merges, add or adjust its variables here and re-run.
    """
    settings = next((project / "src").glob("*/settings.py")).read_text(encoding="utf-8")
    digest = hashlib.sha256(API_KEY.encode()).hexdigest()
    env = {
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "INFO",  # structured JSON logs of every request, as in production
        "PROVIDER_MODE": "upstream",
        "LLM_BASE_URL": upstream,
        "LLM_API_KEY": "sk-fake-upstream",
        "LLM_MAX_RETRIES": "0",
        "TRACING_EXPORTER": "none",
    }
    features: dict[str, str] = {"metrics": "on (always: prometheus-client)"}
    if "api_clients" in settings:
        # access control with scopes, per-key rate limit and budgets: high enough to never refuse
        # (the limiter and the budget accounting still run on every request)
        client = {
            "name": "bench",
            "sha256": digest,
            "scopes": ["*"],
            "rate_limit_per_minute": 10_000_000,
            "daily_token_budget": 10_000_000_000,
        }
        env["API_CLIENTS"] = json.dumps([client])
        features["auth"] = "on (API_CLIENTS, hashed key)"
        features["rate limits"] = "on (10M/min: accounted, never refused)"
    else:
        env["API_KEY_SHA256"] = digest
        features["auth"] = "on (API_KEY_SHA256, hashed key)"
        features["rate limits"] = "absent in this render"
    if "pii_enabled" in settings:
        env["PII_ENABLED"] = "true"
        env["PII_PSEUDONYM_KEY"] = "bench-pseudonym-key-0123456789abcdef"
        features["PII redaction"] = "on (PII_ENABLED, keyed pseudonyms)"
    else:
        features["PII redaction"] = "absent in this render"
    if "audit_dir" in settings:
        # Always on: one hash-chained record per request, fsynced (group commit) before the reply.
        env["AUDIT_DIR"] = str(project / "var" / "audit")
        features["audit trail"] = "on (hash-chained JSONL, fsync before each response)"
    else:
        features["audit trail"] = "absent in this render (JSON request logs only)"
    if "inference_log_path" in settings:
        env["INFERENCE_LOG_PATH"] = str(project / "var" / "inference" / "inference.jsonl")
        features["inference log"] = "on (request features for drift, JSONL)"
    return env, features


# --------------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers HTTP: it is up
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout}s\n{log.read_text()[-3000:]}")


def cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by every process of a process group (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == group:  # fields after "(comm)": state ppid pgrp ... utime stime
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(
    name: str, command: list[str], cwd: Path, env: dict[str, str], ready_url: str, logs: Path
) -> Iterator[int]:
    """Run a server in its own process group until the block ends; yields the group id."""
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_ready(ready_url, process, log, timeout=180)
        yield process.pid
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def call_once(url: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(REQUEST).encode(),
        headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


# --------------------------------------------------------------------------- setup
def step(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    completed = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    if completed.returncode != 0:
        raise RuntimeError(f"$ {' '.join(command)} -> {completed.returncode}\n{completed.stdout}")


def prepare_project(workdir: Path) -> Path:
    project = workdir / "project"
    step("rendering an llm_service project (openai) with the template at HEAD + working tree")
    render(
        project,
        {
            "use_case": "llm_service",
            "model_source": "external_api",
            "llm_provider": "openai",
            "package_name": PACKAGE,
            "compliance": ["gdpr"],
        },
        skip_tasks=True,
    )
    step("uv sync (the project's own environment)")
    run(["uv", "sync", "-q"], project, clean_environment())
    return project


def prepare_litellm() -> Path:
    python = LITELLM_VENV / "bin" / "python"
    marker = LITELLM_VENV / "requirement.txt"
    if python.exists() and marker.exists() and marker.read_text() == LITELLM_REQUIREMENT:
        return LITELLM_VENV
    step(f"installing {LITELLM_REQUIREMENT} into {LITELLM_VENV}")
    run(
        [
            "uv",
            "venv",
            "-q",
            "--allow-existing",
            "--python",
            f"{sys.version_info.major}.{sys.version_info.minor}",
            str(LITELLM_VENV),
        ],
        ROOT,
    )
    run(["uv", "pip", "install", "-q", "--python", str(python), LITELLM_REQUIREMENT], ROOT)
    marker.write_text(LITELLM_REQUIREMENT)
    return LITELLM_VENV


def litellm_config(workdir: Path, upstream: str) -> Path:
    """Master-key auth (virtual keys need a PostgreSQL database) and JSON logs, no DB."""
    config = workdir / "litellm.yaml"
    config.write_text(
        json.dumps(
            {
                "model_list": [
                    {
                        "model_name": "gpt-4o-mini",
                        "litellm_params": {
                            "model": "openai/gpt-4o-mini",
                            "api_base": upstream,
                            "api_key": "sk-fake-upstream",
                            "max_retries": 0,
                        },
                    }
                ],
                "general_settings": {"master_key": API_KEY},
                "litellm_settings": {"json_logs": True, "telemetry": False},
            },
            indent=2,
        )
    )  # JSON is YAML
    return config


# --------------------------------------------------------------------------- load
@dataclass(frozen=True)
class Result:
    target: str
    requests: int
    errors: int
    throughput_rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    server_cpu_ms_per_request: float  # the target server's own CPU time, load generator excluded


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    index = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def load(hey: str, url: str, requests: int, concurrency: int, body: Path) -> list[dict[str, str]]:
    requests = -(-requests // concurrency) * concurrency  # hey sends n/c per connection
    command = [hey, "-n", str(requests), "-c", str(concurrency), "-m", "POST", "-T"]
    command += ["application/json", "-H", f"Authorization: Bearer {API_KEY}", "-D", str(body)]
    command += ["-o", "csv", url]
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    return list(csv.DictReader(completed.stdout.splitlines()))


def measure(
    hey: str,
    target: str,
    url: str,
    group: int,
    requests: int,
    concurrency: int,
    warmup: int,
    body: Path,
) -> Result:
    load(hey, url, warmup, concurrency, body)
    cpu_before = cpu_seconds(group)
    rows = load(hey, url, requests, concurrency, body)
    cpu = cpu_seconds(group) - cpu_before
    ok = [r for r in rows if r["status-code"] == "200"]
    latencies = sorted(float(r["response-time"]) * 1000 for r in ok)
    starts = [float(r["offset"]) for r in rows]
    ends = [float(r["offset"]) + float(r["response-time"]) for r in rows]
    wall = max(ends) - min(starts)
    return Result(
        target=target,
        requests=len(rows),
        errors=len(rows) - len(ok),
        throughput_rps=round(len(ok) / wall, 1),
        p50_ms=round(percentile(latencies, 50), 2),
        p90_ms=round(percentile(latencies, 90), 2),
        p99_ms=round(percentile(latencies, 99), 2),
        mean_ms=round(statistics.fmean(latencies), 2),
        server_cpu_ms_per_request=round(cpu * 1000 / len(rows), 2),
    )


# --------------------------------------------------------------------------- report
def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    hey_version = "hey (Debian package)"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "load_generator": hey_version,
    }


def markdown(report: dict[str, Any]) -> str:
    a, b, c = (report["results"][k] for k in ("a", "b", "c"))
    m = report["machine"]
    lines = [
        SECTION_BEGIN,
        "## Governance tax (issue 5)",
        "",
        f"Run {report['when']}, {report['label']}.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['os']}, Python {m['python']}; load average "
        f"at start {m['load_average_at_start']} (a shared machine: other jobs were running). "
        f"Load: {m['load_generator']}, {report['requests']} POST /v1/chat/completions per target "
        f"after {report['warmup']} warm-up requests, {report['concurrency']} concurrent "
        "connections (keep-alive), all on 127.0.0.1.",
        "",
        "| target | throughput (req/s) | p50 (ms) | p90 (ms) | p99 (ms) | server CPU per request "
        "(ms) | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {
        "a": "(a) fake upstream, direct",
        "b": "(b) generated service, governance on",
        "c": f"(c) LiteLLM proxy {report['litellm']}",
    }
    for key, r in (("a", a), ("b", b), ("c", c)):
        lines.append(
            f"| {names[key]} | {r['throughput_rps']} | {r['p50_ms']} | {r['p90_ms']} | "
            f"{r['p99_ms']} | {r['server_cpu_ms_per_request']} | {r['errors']} |"
        )
    added_b = (b["p50_ms"] - a["p50_ms"], b["p99_ms"] - a["p99_ms"])
    added_c = (c["p50_ms"] - a["p50_ms"], c["p99_ms"] - a["p99_ms"])
    ratio = added_b[0] / added_c[0] if added_c[0] > 0 else float("nan")
    lines += [
        "",
        "| added over (a) | p50 (ms) | p99 (ms) |",
        "|---|---|---|",
        f"| (b) generated service | {added_b[0]:.2f} | {added_b[1]:.2f} |",
        f"| (c) LiteLLM proxy | {added_c[0]:.2f} | {added_c[1]:.2f} |",
        "",
        f"(b)'s added p50 is **{ratio:.2f} times** (c)'s (target: at most 0.5).",
        "",
        "Governance in (b): "
        + "; ".join(f"{k}: {v}" for k, v in report["features"].items())
        + ". (c): master-key auth (virtual keys need PostgreSQL), JSON logs, "
        "`LITELLM_LOCAL_MODEL_COST_MAP=True`, one uvicorn worker.",
        "",
        "Reading the numbers: wall-clock latency is the servers' CPU time stretched by whatever "
        "else runs on the machine. During the measured load (b) kept "
        f"{b['throughput_rps'] * b['server_cpu_ms_per_request'] / 1000:.2f} and (c) "
        f"{c['throughput_rps'] * c['server_cpu_ms_per_request'] / 1000:.2f} of a core busy "
        "(throughput times CPU per request) although one worker can use a whole core: on a loaded "
        "machine *server CPU per request* (the CPU time of the target's own processes during the "
        "measured requests, divided by their number) is the steadier comparison. LiteLLM logged "
        "at ERROR level, (b) at INFO: neither writes a log line per request ((b) writes its "
        "audit record and inference-log row instead).",
        "",
        "Reproduce (needs `uv` and `hey`: `apt-get install hey`):",
        "",
        "```bash",
        f"make bench-governance   # = uv run python benchmarks/governance.py --requests "
        f"{report['requests']} --concurrency {report['concurrency']} --write-docs",
        "```",
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def write_docs(section: str) -> None:
    if DOCS.exists():
        text = DOCS.read_text(encoding="utf-8")
    else:
        text = "# Benchmarks\n\nNumbers from real runs; each section says how to reproduce it.\n"
    if SECTION_BEGIN in text and SECTION_END in text:
        head, rest = text.split(SECTION_BEGIN, 1)
        tail = rest.split(SECTION_END, 1)[1].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per target")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=300, help="unmeasured requests first")
    parser.add_argument("--label", default="", help="e.g. 'before the governance features merged'")
    parser.add_argument("--write-docs", action="store_true", help="refresh docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--report", type=Path, help="do not run: rewrite the docs section from a results file"
    )
    args = parser.parse_args(argv)
    if args.report is not None:
        write_docs(markdown(json.loads(args.report.read_text())))
        step(f"updated {DOCS.relative_to(ROOT)} from {args.report}")
        return 0

    hey = shutil.which("hey")
    if hey is None:
        parser.error("the load generator `hey` is not on PATH: apt-get install hey")
    workdir = Path(tempfile.mkdtemp(prefix="aipt-bench-"))
    logs = workdir / "logs"
    logs.mkdir()
    try:
        project = prepare_project(workdir)
        litellm = prepare_litellm()
        python = project / ".venv" / "bin" / "python"
        body = workdir / "request.json"
        body.write_text(json.dumps(REQUEST))
        ports = {k: free_port() for k in "abc"}
        upstream = f"http://127.0.0.1:{ports['a']}/v1"
        service_env, features = governance_env(project, upstream)
        base = clean_environment()
        uvicorn_one_worker = ["--host", "127.0.0.1", "--workers", "1", "--log-level", "warning"]
        litellm_env = {**base, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR"}
        litellm_env |= {"DISABLE_SCHEMA_UPDATE": "True", "LITELLM_TELEMETRY": "False"}
        urls = {
            "a": f"{upstream}/chat/completions",
            "b": f"http://127.0.0.1:{ports['b']}/v1/chat/completions",
            "c": f"http://127.0.0.1:{ports['c']}/v1/chat/completions",
        }
        config = litellm_config(workdir, upstream)
        with ExitStack() as stack:
            step("starting the fake upstream, the generated service and the LiteLLM proxy")
            groups: dict[str, int] = {}
            groups["a"] = stack.enter_context(
                server(
                    "upstream",
                    [
                        *(str(python), "-m", "uvicorn", "fake_openai:app"),
                        *("--port", str(ports["a"]), *uvicorn_one_worker, "--no-access-log"),
                    ],
                    HERE,
                    base,
                    f"http://127.0.0.1:{ports['a']}/",
                    logs,
                )
            )
            groups["b"] = stack.enter_context(
                server(
                    "service",
                    [str(python), "-m", PACKAGE, "serve", "--port", str(ports["b"])],
                    project,
                    {**base, **service_env},
                    f"http://127.0.0.1:{ports['b']}/healthz",
                    logs,
                )
            )
            groups["c"] = stack.enter_context(
                server(
                    "litellm",
                    [
                        *(str(litellm / "bin" / "litellm"), "--config", str(config)),
                        *("--host", "127.0.0.1", "--port", str(ports["c"]), "--num_workers", "1"),
                    ],
                    workdir,
                    litellm_env,
                    f"http://127.0.0.1:{ports['c']}/health/liveliness",
                    logs,
                )
            )
            for key, url in urls.items():  # every target answers the same completion
                answer = call_once(url)
                content = answer["choices"][0]["message"]["content"]
                assert content == "Your account is in good standing.", (key, answer)
            results = {}
            for key, url in urls.items():
                step(f"loading ({key}) {url}")
                result = measure(
                    hey, key, url, groups[key], args.requests, args.concurrency, args.warmup, body
                )
                results[key] = asdict(result)
                step(f"  {result}")
        version = subprocess.run(
            [
                str(litellm / "bin" / "python"),
                "-c",
                "import importlib.metadata as m;print(m.version('litellm'))",
            ],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout.strip()
        report = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "label": args.label or "governance as configured by this template version",
            "machine": machine(),
            "requests": args.requests,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "litellm": version,
            "features": features,
            "results": results,
        }
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"governance-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        out.write_text(json.dumps(report, indent=2))
        section = markdown(report)
        print(section)
        step(f"results: {out}")
        if args.write_docs:
            write_docs(section)
            step(f"updated {DOCS.relative_to(ROOT)}")
    finally:
        if args.keep:
            step(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
