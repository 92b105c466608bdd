"""Training: fit the pipeline, score it on held-out rows, and write it only if it meets the target.

The artefact is a directory with `model.joblib` (the fitted scikit-learn pipeline) and
`metadata.json` (version, training time, metric, feature names, dataset fingerprint).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import joblib
import numpy as np
import sklearn
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..kpis import KPIS
from .config import ModelSettings
from .dataset import DATASET_NAME, load_dataset, split_dataset
from .features import FEATURE_COLUMNS
from .metadata import METADATA_FILE, MODEL_FILE, MetricResult, ModelMetadata

MODEL_NAME = "logistic-regression"
POSITIVE_CLASS = "malignant"


class QualityGateError(Exception):
    """The trained model scored below the KPI target; it was not written."""

    def __init__(self, metric: MetricResult, target: float) -> None:
        super().__init__(
            f"{metric.name} {metric.value:.4f} on {metric.heldout_rows} held-out rows is below the "
            f"target {target} (kpis.yaml quality_target); the model was not written"
        )
        self.metric = metric
        self.target = target


@dataclass(frozen=True)
class TrainedModel:
    pipeline: Pipeline
    metric: MetricResult
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    dataset_fingerprint: str
    trained_at: datetime
    seed: int


def build_pipeline(seed: int) -> Pipeline:
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("classify", LogisticRegression(max_iter=1000, random_state=seed)),
        ]
    )


def train(config: ModelSettings) -> TrainedModel:
    """Fit on the training rows and compute ROC AUC on the held-out rows."""
    dataset = load_dataset()
    if dataset.feature_names != tuple(FEATURE_COLUMNS.values()):
        raise RuntimeError("the dataset's columns no longer match features.FEATURE_COLUMNS")
    split = split_dataset(dataset, config.heldout_fraction, config.seed)
    pipeline = build_pipeline(config.seed)
    pipeline.fit(dataset.features[split.train_index], dataset.target[split.train_index])
    metric = score(
        pipeline,
        dataset.features[split.heldout_index],
        dataset.target[split.heldout_index],
        dataset.class_names,
    )
    return TrainedModel(
        pipeline=pipeline,
        metric=metric,
        feature_names=tuple(FEATURE_COLUMNS),
        class_names=dataset.class_names,
        dataset_fingerprint=dataset.fingerprint,
        trained_at=datetime.now(UTC),
        seed=config.seed,
    )


def score(
    pipeline: Pipeline,
    features: NDArray[np.float64],
    target: NDArray[np.int64],
    class_names: tuple[str, ...],
) -> MetricResult:
    """ROC AUC of the positive class on held-out rows (the KPI quality metric)."""
    positive = class_names.index(POSITIVE_CLASS)
    scores = pipeline.predict_proba(features)[:, positive]
    return MetricResult(
        name=KPIS.quality_metric,
        value=float(roc_auc_score(target == positive, scores)),
        heldout_rows=len(target),
    )


def check_quality(trained: TrainedModel, target: float) -> None:
    if trained.metric.value < target:
        raise QualityGateError(trained.metric, target)


def save(trained: TrainedModel, directory: Path) -> ModelMetadata:
    """Write model.joblib and metadata.json; each file is replaced atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / MODEL_FILE
    _replace(model_path, lambda tmp: joblib.dump(trained.pipeline, tmp))
    model_sha256 = hashlib.sha256(model_path.read_bytes()).hexdigest()
    metadata = ModelMetadata(
        name=MODEL_NAME,
        version=f"{trained.trained_at:%Y%m%dT%H%M%SZ}-{model_sha256[:8]}",
        trained_at=trained.trained_at,
        metric=trained.metric,
        feature_names=list(trained.feature_names),
        class_names=list(trained.class_names),
        positive_class=POSITIVE_CLASS,
        dataset=DATASET_NAME,
        dataset_fingerprint=trained.dataset_fingerprint,
        model_sha256=model_sha256,
        seed=trained.seed,
        sklearn_version=sklearn.__version__,
    )
    _replace(
        directory / METADATA_FILE,
        lambda tmp: tmp.write_text(metadata.model_dump_json(indent=2) + "\n", encoding="utf-8"),
    )
    return metadata


def train_and_save(config: ModelSettings, target: float) -> ModelMetadata:
    """Train, refuse below `target` (QualityGateError), then write to `config.dir`."""
    trained = train(config)
    check_quality(trained, target)
    return save(trained, config.dir)


def _replace(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)
