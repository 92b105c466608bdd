"""Evaluation of a candidate (model, prompt, retrieval settings) on the golden set.

`evaluate_candidate(settings, params)` runs every golden item through the service's own code
and model source, and returns `EvaluationResult.metrics`: `quality` (the KPI's quality metric),
`latency_p95_ms` and `cost_per_1k_requests_usd`, which the promotion gate compares with the KPI
targets and the current champion, and the use case's other metrics.
"""

from .candidate import evaluate_candidate
from .inputs import CandidateParamsError, EvaluationInputError, GoldenSetError
from .result import EvaluationResult, ItemResult

__all__ = [
    "CandidateParamsError",
    "EvaluationInputError",
    "EvaluationResult",
    "GoldenSetError",
    "ItemResult",
    "evaluate_candidate",
]
