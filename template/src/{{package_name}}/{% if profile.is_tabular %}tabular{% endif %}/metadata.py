"""The metadata written beside every model (metadata.json)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"


class MetricResult(BaseModel):
    name: str
    value: float
    heldout_rows: int


class ModelMetadata(BaseModel):
    name: str
    version: str
    trained_at: datetime
    metric: MetricResult
    feature_names: list[str]
    class_names: list[str]
    positive_class: str
    dataset: str
    dataset_fingerprint: str
    model_sha256: str
    seed: int
    sklearn_version: str
