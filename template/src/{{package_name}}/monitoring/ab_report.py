"""Compare the A/B variants from the inference log, with significance tests.

Error rate: chi-square test of independence on the 2x2 table (variant x ok/error), which for
two groups is the two-proportion z-test squared. Latency: Mann-Whitney U test (no normality
assumption; latencies are skewed). A difference counts only when p < alpha; otherwise the
verdict is "no significant difference", whatever the point estimates say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats

from ..ab import VARIANTS

Verdict = Literal["better", "worse", "no significant difference"]
MIN_REQUESTS = 20  # per variant: below this no test is run


class NotEnoughDataError(ValueError):
    pass


@dataclass
class VariantStats:
    variant: str
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    @property
    def latency_p95_ms(self) -> float:
        return float(np.percentile(self.latencies_ms, 95)) if self.latencies_ms else 0.0


@dataclass(frozen=True)
class Comparison:
    kpi: str
    champion: float
    challenger: float
    test: str
    p_value: float
    verdict: Verdict

    def line(self) -> str:
        return (
            f"{self.kpi}: champion {self.champion:.4g}, challenger {self.challenger:.4g} "
            f"({self.test}, p={self.p_value:.3g}): challenger {self.verdict}"
        )


def variant_stats(entries: Iterable[Mapping[str, Any]]) -> dict[str, VariantStats]:
    by_variant: dict[str, VariantStats] = {v: VariantStats(v) for v in VARIANTS}
    for entry in entries:
        variant = by_variant.get(str(entry.get("variant")))
        if variant is None:
            continue
        variant.latencies_ms.append(float(entry["latency_ms"]))
        if entry.get("outcome") != "ok":
            variant.errors += 1
    return by_variant


def compare(champion: VariantStats, challenger: VariantStats, alpha: float) -> list[Comparison]:
    for group in (champion, challenger):
        if group.requests < MIN_REQUESTS:
            raise NotEnoughDataError(
                f"{group.variant} has {group.requests} logged requests; at least "
                f"{MIN_REQUESTS} per variant are needed for a test"
            )
    table = [
        [champion.requests - champion.errors, champion.errors],
        [challenger.requests - challenger.errors, challenger.errors],
    ]
    errors = champion.errors + challenger.errors
    if errors in (0, champion.requests + challenger.requests):
        error_p = 1.0  # no errors, or nothing but errors: the rates are identical
    else:
        error_p = float(stats.chi2_contingency(table).pvalue)
    latency_p = float(
        stats.mannwhitneyu(
            challenger.latencies_ms, champion.latencies_ms, alternative="two-sided"
        ).pvalue
    )
    challenger_slower = float(np.median(challenger.latencies_ms)) > float(
        np.median(champion.latencies_ms)
    )
    return [
        Comparison(
            kpi="error rate",
            champion=champion.error_rate,
            challenger=challenger.error_rate,
            test="chi-square",
            p_value=error_p,
            verdict=_verdict(error_p, alpha, worse=challenger.error_rate > champion.error_rate),
        ),
        Comparison(
            kpi="latency p95 ms",
            champion=champion.latency_p95_ms,
            challenger=challenger.latency_p95_ms,
            test="Mann-Whitney U",
            p_value=latency_p,
            verdict=_verdict(latency_p, alpha, worse=challenger_slower),
        ),
    ]


def _verdict(p_value: float, alpha: float, *, worse: bool) -> Verdict:
    if p_value >= alpha:
        return "no significant difference"
    return "worse" if worse else "better"
