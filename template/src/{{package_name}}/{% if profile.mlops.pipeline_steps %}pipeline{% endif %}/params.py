"""params.yaml: the pipeline's parameters (DVC re-runs a stage when the ones it names change)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

PARAMS_FILE = Path("params.yaml")


class EvaluateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latency_samples: int = Field(default=40, ge=5, description="Timed requests for the p95.")
    compute_usd_per_hour: float = Field(
        default=0.10, ge=0, description="Price of the serving compute (one replica) per hour."
    )


class GateParams(BaseModel):
    """How much worse than the champion still counts as "not worse" (measurement noise)."""

    model_config = ConfigDict(extra="forbid")

    quality_tolerance: float = Field(default=0.0, ge=0)
    latency_tolerance_ratio: float = Field(default=0.5, ge=0)
    latency_tolerance_ms: float = Field(default=5.0, ge=0)
    cost_tolerance_ratio: float = Field(default=0.5, ge=0)
    cost_tolerance_usd: float = Field(default=0.001, ge=0)


class PipelineParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    work_dir: Path = Path("var/pipeline")
    promote_to: Literal["champion", "challenger"] = Field(
        default="champion",
        description="Alias a passing candidate gets (the first one is always champion).",
    )
    data: dict[str, Any] = Field(default_factory=dict, description="The use case's data params.")
    model: dict[str, Any] = Field(default_factory=dict, description="The use case's model params.")
    evaluate: EvaluateParams = Field(default_factory=EvaluateParams)
    gate: GateParams = Field(default_factory=GateParams)


def load_params(path: Path = PARAMS_FILE) -> PipelineParams:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return PipelineParams.model_validate(raw or {})
