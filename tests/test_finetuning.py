"""LoRA fine-tuning for real: a rendered `fine_tuning` project's own tests/test_finetune.py, run
in an environment that has torch, transformers and peft.

The shared environment of generated projects has no torch (the `finetune` dependency group is
optional), so there `make test` skips that module. This test runs it in a dedicated virtualenv,
``$AIPT_FINETUNE_ENV`` or ``<repo>/.cache/finetune-env``, built with **pip**, not uv:
``pip install torch==2.13.0`` takes the CPU build of torch that lies on this machine's disk,
where uv (and any unpinned resolver) would download a CUDA build of several GB. torch is
installed first, then everything else under a constraint that keeps it at that version. Like the
shared env, it is built once under a file lock and rebuilt when its requirement list changes
(``aipt-requirements.txt`` in the env). Measured on a 2-core machine: the first build about
2 min 10 s and 2.7 GB (torch 20 s; transformers and peft 20 s; the project's own dependencies the
rest), then 20-45 s (by machine load) for the rendered project's test.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from matrix import ROOT, config_id, default_configuration, normalize
from rendering import clean_environment, derive_profile, render, run

TORCH = "torch==2.13.0"  # the CPU wheel on this machine's disk (pip finds it, uv does not)
MARKER = "aipt-requirements.txt"
CONFIG = normalize(
    {
        **default_configuration(),
        "use_case": "llm_service",
        "model_source": "self_hosted",
        "self_hosted_runtime": "vllm",
        "fine_tuning": True,
    }
)


def finetune_env_path() -> Path:
    return Path(os.environ.get("AIPT_FINETUNE_ENV", ROOT / ".cache" / "finetune-env")).resolve()


def finetune_requirements() -> list[str]:
    """What the project's finetune test imports: its runtime dependencies, pytest, the group."""
    profile = derive_profile(CONFIG)
    assert profile["finetune_dependencies"], "the configuration does not fine-tune"
    return [*profile["dependencies"], "pytest>=8.3", *profile["finetune_dependencies"]]


def ensure_finetune_env(env: Path, requirements: list[str]) -> Path:
    """Create or refresh the env (under a file lock): torch pinned first, then the rest."""
    wanted = "\n".join([TORCH, *requirements]) + "\n"
    env.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(env) + ".lock", timeout=3600):
        marker = env / MARKER
        python = env / "bin" / "python"
        if python.exists() and marker.exists() and marker.read_text() == wanted:
            return env
        constraints = env.parent / f"{env.name}-constraints.txt"
        constraints.write_text(TORCH + "\n")
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        steps = [
            [sys.executable, "-m", "venv", str(env)],
            [*pip, TORCH],
            [*pip, "-c", str(constraints), *requirements],
        ]
        for command in steps:
            outcome = run(command, cwd=ROOT, env=clean_environment(), timeout=3600)
            if not outcome.ok:
                pytest.fail(f"could not build the fine-tuning environment:\n{outcome.summary()}")
        marker.write_text(wanted)
    return env


@pytest.fixture(scope="session")
def finetune_env() -> Path:
    return ensure_finetune_env(finetune_env_path(), finetune_requirements())


@pytest.mark.slow
def test_generated_finetune_test_trains_and_registers_an_adapter(
    tmp_path: Path, finetune_env: Path, short_tmp: Path
) -> None:
    project = render(tmp_path / "project", CONFIG)
    env = clean_environment(
        TMPDIR=str(short_tmp),
        HF_HUB_OFFLINE="1",  # nothing from the hub: the test builds its tiny model itself
        HF_HOME=str(short_tmp / "hf-home"),  # ... and no cached model can stand in for it
    )

    python = str(finetune_env / "bin" / "python")
    command = [
        python,
        "-m",
        "pytest",
        "tests/test_finetune.py",
        "-v",
        "-rs",
        "-p",
        "no:cacheprovider",
    ]
    outcome = run(command, project, env, timeout=600)

    print(f"\n{config_id(CONFIG)}: generated tests/test_finetune.py {outcome.seconds:.1f}s")
    assert outcome.ok, outcome.summary()
    passed = re.findall(r"^tests/test_finetune\.py::(\w+) PASSED", outcome.output, re.M)
    assert "test_finetune_trains_saves_and_registers_a_lora_adapter" in passed, outcome.summary()
    assert "SKIPPED" not in outcome.output, outcome.summary()  # torch etc. really imported
    assert not re.search(r"\d+ (skipped|deselected)", outcome.output), outcome.summary()
