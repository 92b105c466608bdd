"""Export the last drift check and the last evaluation on the service's /metrics.

The drift job writes its result to `DRIFT_RESULT_PATH` (JSON), the scheduled evaluation
(`pipeline evaluate`) its metrics to `QUALITY_RESULT_PATH`; these collectors read the files at
each scrape, so the service needs no restart and no Pushgateway when the job and the service
share that path (same host, or a shared volume). Elsewhere, push the job's Prometheus file to a
Pushgateway instead: publish each gauge from one place only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)


class DriftResultCollector(Collector):
    def __init__(self, path: Path) -> None:
        self.path = path

    def collect(self) -> Iterator[Metric]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            share = float(data["share"])
        except FileNotFoundError:
            return  # no drift check has run yet: no gauge rather than a made-up value
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("drift result %s unreadable: %s", self.path, exc)
            return
        yield GaugeMetricFamily(
            "data_drift_share",
            "Share of monitored columns that drifted at the last drift check.",
            value=share,
        )


class QualityResultCollector(Collector):
    """`model_quality_score{metric}`: the quality KPI of the last evaluation.

    ModelQualityBelowTarget alerts on it; `rollback` reads it back from Prometheus.
    """

    def __init__(self, path: Path, metric: str) -> None:
        self.path = path
        self.metric = metric

    def collect(self) -> Iterator[Metric]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            quality = float(data["quality"])
        except FileNotFoundError:
            return  # no evaluation has run yet: no gauge rather than a made-up value
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("evaluation result %s unreadable: %s", self.path, exc)
            return
        gauge = GaugeMetricFamily(
            "model_quality_score",
            "Quality KPI of the model measured by the last evaluation.",
            labels=["metric"],
        )
        gauge.add_metric([self.metric], quality)
        yield gauge
