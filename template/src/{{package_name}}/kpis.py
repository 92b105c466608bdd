"""The KPI and SLA targets chosen for this service, read from kpis.yaml beside this module.

One file holds them; the evaluation gate, the alert rules, the dashboards and docs/kpis.md are
rendered from the same answers, so they cannot disagree.
"""

from __future__ import annotations

from importlib import resources

import yaml
from pydantic import BaseModel, Field


class KpiTargets(BaseModel):
    quality_metric: str
    quality_target: float = Field(gt=0, le=1)
    latency_p95_ms: int = Field(gt=0)
    availability_slo_percent: float = Field(ge=90, lt=100)
    cost_per_1k_requests_usd: float = Field(gt=0)

    @property
    def error_budget_ratio(self) -> float:
        return (100 - self.availability_slo_percent) / 100


def load_kpis() -> KpiTargets:
    text = resources.files(__package__).joinpath("kpis.yaml").read_text(encoding="utf-8")
    return KpiTargets.model_validate(yaml.safe_load(text))


KPIS = load_kpis()
