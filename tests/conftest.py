"""Fixtures shared by the template's tests.

Running: ``uv run pytest -n 2 -m "not slow"`` (a few minutes: profile, questions, matrix, fast
renders) or ``make test`` (about 51 min on 2 cores: also every pairwise project's own ``make ci``,
the live-server smoke tests, updates, pipelines; docs/benchmarks.md). ``slow`` = needs the
shared env.

The shared environment for generated projects
---------------------------------------------
Generated projects are checked with their own ``make lint typecheck test``. Installing each
project's dependencies would cost minutes per project, so all of them share ONE virtualenv that
holds the union of ``profile.dependencies`` + ``profile.dev_dependencies`` over the whole option
space (``derive_profile`` over every valid configuration, so a dependency added to
``extensions/context.py`` is picked up automatically). ``make`` runs with
``UV_PROJECT_ENVIRONMENT=<env> UV_NO_SYNC=1`` so ``uv run`` uses it as is.

* Location: ``$AIPT_GENERATED_ENV``, default ``<repo>/.cache/generated-env`` (git-ignored).
* Built with ``uv venv`` + ``uv pip install`` the first time a test needs it, and again whenever
  the requirement list changes (the list is stored in the env as ``aipt-requirements.txt``).
* Safe under pytest-xdist: every worker takes the file lock ``<env>.lock`` before looking at
  the env, so exactly one worker builds it while the others wait, then reuse it.
* mypy's cache is shared the same way, one directory per xdist worker (``mypy_cache``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from matrix import ROOT, all_configurations
from rendering import generated_requirements, run

MARKER = "aipt-requirements.txt"
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # generated projects need >= 3.11


def generated_env_path() -> Path:
    return Path(os.environ.get("AIPT_GENERATED_ENV", ROOT / ".cache" / "generated-env")).resolve()


def ensure_generated_env(env: Path, requirements: list[str]) -> Path:
    """Create or refresh the shared env so it holds ``requirements`` (under a file lock)."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("`uv` is not on PATH: it builds the generated projects' shared environment")
    wanted = "\n".join(requirements) + "\n"
    env.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(env) + ".lock", timeout=1800):
        marker = env / MARKER
        python = env / "bin" / "python"
        if python.exists() and marker.exists() and marker.read_text() == wanted:
            return env
        steps = [
            [uv, "venv", "--allow-existing", "--seed", "--python", PYTHON, str(env)],
            [uv, "pip", "install", "--python", str(python), *requirements],
        ]
        for command in steps:
            outcome = run(command, cwd=ROOT, env=os.environ, timeout=1800)
            if not outcome.ok:
                pytest.fail(f"could not build the shared environment:\n{outcome.summary()}")
        marker.write_text(wanted)
    return env


@pytest.fixture(scope="session")
def generated_env() -> Path:
    """The virtualenv holding every generated project's dependencies (see the module doc)."""
    return ensure_generated_env(generated_env_path(), generated_requirements(all_configurations()))


@pytest.fixture(scope="session")
def mypy_cache(worker_id: str) -> Path:
    """One mypy cache per xdist worker, shared by the projects it checks.

    Generated projects import the same libraries; with a warm cache mypy re-analyses only the
    project's own modules (about 1 s instead of 10 s). mypy's incremental mode re-checks any module
    whose source changed, so sharing is safe; one directory per worker avoids concurrent writes.
    """
    path = ROOT / ".cache" / "mypy" / worker_id
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def passed_code_trees(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """Where this session records the code trees whose `make lint typecheck test` passed.

    One folder for all xdist workers of the session (the parent of the workers' base temp), so a
    tree checked on one worker is not checked again on the other (``rendering.code_checks_once``).
    """
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if worker_id != "master" else base) / "passed-code-trees"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A private, short TMPDIR for a generated project's own test run.

    Concurrent pytest sessions sharing /tmp/pytest-of-<user> may prune each other's base
    directories, and Unix sockets (embedded PostgreSQL) need short paths.
    """
    path = Path(tempfile.mkdtemp(prefix="aipt-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def template_ruff() -> Path:
    """ruff from the template's own dev environment (fast checks need no shared env)."""
    ruff = Path(sys.executable).parent / "ruff"
    found = ruff if ruff.exists() else shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed in the template's dev environment (`uv sync`)")
    return Path(found)
