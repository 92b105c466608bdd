"""What an evaluation returns: the metrics the promotion gate reads, and one result per item."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..kpis import KpiTargets


@dataclass(frozen=True)
class ItemResult:
    """One golden item: what was asked, what came back, its scores and what went wrong."""

    item_id: str
    passed: bool
    summary: str  # one line for the report
    prompt: str
    answer: str
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    scores: dict[str, float] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)  # what went wrong or looks doubtful


@dataclass(frozen=True)
class EvaluationResult:
    """`metrics` always holds `quality`, `latency_p95_ms` and `cost_per_1k_requests_usd`."""

    metrics: dict[str, float]
    details: list[ItemResult]
    candidate: dict[str, Any]  # what was evaluated: model, golden set, parameters

    def to_dict(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "candidate": self.candidate,
            "details": [asdict(item) for item in self.details],
        }

    def report(self, kpis: KpiTargets) -> str:
        """A plain-text report: the KPI metrics against their targets, then every item."""
        m = self.metrics
        passed = sum(item.passed for item in self.details)
        lines = [
            f"Evaluation of {self.candidate.get('model')} on {self.candidate.get('golden_set')} "
            f"({len(self.details)} items, {passed} passed)",
            "",
            f"  {'metric':<30} {'value':>10}  target",
            f"  {'quality (' + kpis.quality_metric + ')':<30} {m['quality']:>10.3f}"
            f"  >= {kpis.quality_target}",
            f"  {'latency_p95_ms':<30} {m['latency_p95_ms']:>10.1f}  <= {kpis.latency_p95_ms}",
            f"  {'cost_per_1k_requests_usd':<30} {m['cost_per_1k_requests_usd']:>10.4f}"
            f"  <= {kpis.cost_per_1k_requests_usd}",
        ]
        shown = {"quality", "latency_p95_ms", "cost_per_1k_requests_usd"}
        lines += [f"  {name:<30} {value:>10.3f}" for name, value in m.items() if name not in shown]
        lines += ["", "Items:"]
        for item in self.details:
            mark = "PASS" if item.passed else "FAIL"
            lines.append(f"  {mark} {item.item_id}: {item.summary}, {item.latency_ms:.0f} ms")
            lines += [f"       - {finding}" for finding in item.findings]
        return "\n".join(lines)


def p95(values: Sequence[float]) -> float:
    """95th percentile, interpolated between the closest ranks (numpy's default method)."""
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def cost_per_1k_requests(
    items: Sequence[ItemResult], price_input_per_mtok: float, price_output_per_mtok: float
) -> float:
    """Mean cost of one item's tokens at the configured prices, times 1,000."""
    total = sum(
        item.prompt_tokens * price_input_per_mtok + item.completion_tokens * price_output_per_mtok
        for item in items
    )
    return total / 1_000_000 / len(items) * 1000


def mean(values: Sequence[float]) -> float:
    """The mean, or 0.0 for no values (a metric with nothing to measure)."""
    return statistics.fmean(values) if values else 0.0


def with_kpi_metrics(
    metrics: dict[str, float],
    items: Sequence[ItemResult],
    kpis: KpiTargets,
    *,
    price_input_per_mtok: float,
    price_output_per_mtok: float,
) -> dict[str, float]:
    """Add the three metrics the gate compares with the KPI targets, first in the dict."""
    if kpis.quality_metric not in metrics:
        raise ValueError(
            f"kpis.yaml names quality metric {kpis.quality_metric!r}, which this evaluation "
            f"does not compute (it computes: {', '.join(sorted(metrics))})"
        )
    return {
        "quality": metrics[kpis.quality_metric],
        "latency_p95_ms": p95([item.latency_ms for item in items]),
        "cost_per_1k_requests_usd": cost_per_1k_requests(
            items, price_input_per_mtok, price_output_per_mtok
        ),
        **metrics,
        "golden_items": float(len(items)),
    }
