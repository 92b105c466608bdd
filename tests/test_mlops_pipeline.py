"""`make train` for real in rendered projects: DVC runs every stage, MLflow registers and promotes
the model, a second run is a no-op, and a worse candidate fails `make train` with a report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from matrix import config_id, default_configuration, normalize
from rendering import clean_environment, derive_profile, render, run

USE_CASES = ("rag_assistant", "llm_service", "tabular_ml")
PIPELINE_CONFIGS = [
    config
    for config in (normalize({**default_configuration(), "use_case": u}) for u in USE_CASES)
    if derive_profile(config)["mlops"]["pipeline_steps"]
]


@pytest.mark.slow
@pytest.mark.parametrize("config", PIPELINE_CONFIGS, ids=config_id)
def test_make_train_runs_the_pipeline_and_gates_promotion(
    tmp_path: Path, config: dict[str, Any], generated_env: Path, short_tmp: Path
) -> None:
    project = render(tmp_path / "project", config)
    env = clean_environment(
        UV_PROJECT_ENVIRONMENT=str(generated_env),
        UV_NO_SYNC="1",
        TMPDIR=str(short_tmp),
        # The shared env does not hold the project itself (`uv sync` installs it in real use):
        # the stages' `python -m <package>` find it under src/.
        PYTHONPATH=str(project / "src"),
    )

    first = run(["make", "train"], project, env)
    assert first.ok, first.summary()
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    assert list(lock["stages"]) == ["ingest", "validate", "prepare", "build", "evaluate", "promote"]
    assert "PROMOTED" in (project / "var/pipeline/promotion-report.md").read_text()
    metrics = json.loads((project / "var/pipeline/metrics.json").read_text())
    assert {"quality", "latency_p95_ms", "cost_per_1k_requests_usd"} <= set(metrics)
    assert "Latest pipeline run" in (project / "docs/model-card.md").read_text()

    again = run(["make", "train"], project, env)
    assert again.ok, again.summary()
    assert "Running stage" not in again.output  # nothing changed: DVC re-runs nothing

    if derive_profile(config)["is_tabular"]:  # a deliberately worse candidate
        params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
        params["model"]["estimator"] = "most_frequent_baseline"
        (project / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
        worse = run(["make", "train"], project, env)
        assert not worse.ok
        assert "REFUSED" in worse.output
        assert "REFUSED" in (project / "var/pipeline/promotion-report.md").read_text()
