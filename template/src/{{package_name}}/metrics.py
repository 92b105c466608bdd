"""Prometheus metrics of the service, registered on a registry owned by the app."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram

from .kpis import KPIS

# Buckets straddle the latency objective so the p95 alert can be computed precisely.
_SLO_SECONDS = KPIS.latency_p95_ms / 1000
LATENCY_BUCKETS = tuple(
    sorted(
        {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0}
        | {round(_SLO_SECONDS * f, 4) for f in (0.5, 1.0, 2.0)}
    )
)


@dataclass
class ServiceMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.request_latency = Histogram(
            "http_request_duration_seconds",
            "Latency of HTTP requests.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "http_requests",
            "HTTP requests served.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.errors = Counter(
            "http_request_errors",
            "HTTP requests answered with an error status (4xx or 5xx).",
            ["route", "status"],
            registry=self.registry,
        )
        self.tokens = Counter(
            "model_tokens",
            "Tokens processed by the model source.",
            ["direction", "model"],
            registry=self.registry,
        )
        self.cost = Counter(
            "model_cost_usd",
            "Estimated inference cost in US dollars.",
            ["model"],
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "model_upstream_errors",
            "Failed calls to the model source, after retries.",
            ["kind"],
            registry=self.registry,
        )
        self.predictions = Counter(
            "model_predictions",
            "Model answers served.",
            ["model", "variant"],
            registry=self.registry,
        )
