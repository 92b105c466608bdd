"""The evaluation gate: a candidate is promoted only if no metric is worse than its KPI target
(kpis.yaml) nor than the current champion's. Pure functions over metric dicts, use-case agnostic.

Metric names: `quality` (the use case's quality metric, higher is better), `latency_p95_ms` and
`cost_per_1k_requests_usd` (lower is better).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..kpis import KpiTargets
from .params import GateParams

QUALITY = "quality"
LATENCY = "latency_p95_ms"
COST = "cost_per_1k_requests_usd"
GATED_METRICS = (QUALITY, LATENCY, COST)


@dataclass(frozen=True)
class Check:
    metric: str
    candidate: float
    limit: float
    basis: str  # "KPI target" or "champion vN"
    higher_is_better: bool

    @property
    def passed(self) -> bool:
        if self.higher_is_better:
            return self.candidate >= self.limit
        return self.candidate <= self.limit


@dataclass(frozen=True)
class GateDecision:
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def table(self, quality_label: str) -> str:
        rows = [
            "| metric | candidate | limit | basis | result |",
            "|---|---|---|---|---|",
        ]
        for c in self.checks:
            name = quality_label if c.metric == QUALITY else c.metric
            sign = ">=" if c.higher_is_better else "<="
            result = "pass" if c.passed else "**FAIL**"
            rows.append(
                f"| {name} | {c.candidate:.4g} | {sign} {c.limit:.4g} | {c.basis} | {result} |"
            )
        return "\n".join(rows)


def decide(
    candidate: Mapping[str, float],
    targets: KpiTargets,
    tolerances: GateParams,
    champion: Mapping[str, float] | None = None,
    champion_label: str = "champion",
) -> GateDecision:
    missing = [m for m in GATED_METRICS if m not in candidate]
    if missing:
        raise ValueError(f"the evaluation did not produce {', '.join(missing)}")
    checks = [
        Check(QUALITY, candidate[QUALITY], targets.quality_target, "KPI target", True),
        Check(LATENCY, candidate[LATENCY], targets.latency_p95_ms, "KPI target", False),
        Check(COST, candidate[COST], targets.cost_per_1k_requests_usd, "KPI target", False),
    ]
    if champion is not None:
        if QUALITY in champion:
            limit = champion[QUALITY] - tolerances.quality_tolerance
            checks.append(Check(QUALITY, candidate[QUALITY], limit, champion_label, True))
        if LATENCY in champion:
            limit = (
                champion[LATENCY] * (1 + tolerances.latency_tolerance_ratio)
                + tolerances.latency_tolerance_ms
            )
            checks.append(Check(LATENCY, candidate[LATENCY], limit, champion_label, False))
        if COST in champion:
            limit = champion[COST] * (1 + tolerances.cost_tolerance_ratio)
            limit += tolerances.cost_tolerance_usd
            checks.append(Check(COST, candidate[COST], limit, champion_label, False))
    return GateDecision(tuple(checks))
