"""The served model: a fitted pipeline and its metadata, loaded from the model directory."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import sklearn
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline

from .explain import Explanation, explain
from .features import FEATURE_COLUMNS, TumourFeatures, to_matrix
from .metadata import METADATA_FILE, MODEL_FILE, ModelMetadata

logger = logging.getLogger(__name__)


class ModelNotFoundError(FileNotFoundError):
    """The model directory holds no trained model."""


class IncompatibleModelError(RuntimeError):
    """The model on disk does not fit this code (features, checksum)."""


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float


@dataclass(frozen=True)
class TabularModel:
    pipeline: Pipeline
    metadata: ModelMetadata

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        return self.metadata.version

    @classmethod
    def exists(cls, directory: Path) -> bool:
        return (directory / MODEL_FILE).is_file() and (directory / METADATA_FILE).is_file()

    @classmethod
    def load(cls, directory: Path) -> TabularModel:
        """Load and check a model written by `train.save`. Only load directories you trust:
        model.joblib is a pickle."""
        if not cls.exists(directory):
            raise ModelNotFoundError(f"no trained model in {directory}")
        metadata = ModelMetadata.model_validate_json(
            (directory / METADATA_FILE).read_text(encoding="utf-8")
        )
        if metadata.feature_names != list(FEATURE_COLUMNS):
            raise IncompatibleModelError(
                f"the model in {directory} was trained on other features; retrain it"
            )
        model_bytes = (directory / MODEL_FILE).read_bytes()
        if hashlib.sha256(model_bytes).hexdigest() != metadata.model_sha256:
            raise IncompatibleModelError(
                f"{directory / MODEL_FILE} does not match the checksum in its metadata"
            )
        if metadata.sklearn_version != sklearn.__version__:
            logger.warning(
                "model trained with scikit-learn %s, running %s: retrain to be safe",
                metadata.sklearn_version,
                sklearn.__version__,
            )
        pipeline: Pipeline = joblib.load(io.BytesIO(model_bytes))
        return cls(pipeline=pipeline, metadata=metadata)

    def predict_proba(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability of each class (columns in `metadata.class_names` order) for a batch."""
        probabilities: NDArray[np.float64] = np.asarray(
            self.pipeline.predict_proba(rows), dtype=np.float64
        )
        return probabilities

    def predict(self, instances: Sequence[TumourFeatures]) -> list[Prediction]:
        """The most probable label of each instance, with its probability."""
        probabilities = self.predict_proba(to_matrix(instances))
        best = probabilities.argmax(axis=1)
        labels = self.metadata.class_names
        return [
            Prediction(label=labels[int(i)], probability=float(row[i]))
            for i, row in zip(best, probabilities, strict=True)
        ]

    def explain(
        self, instances: Sequence[TumourFeatures], predictions: Sequence[Prediction]
    ) -> list[Explanation]:
        """Feature attributions of each prediction towards its label (tabular.explain)."""
        labels = [self.metadata.class_names.index(p.label) for p in predictions]
        return explain(self.pipeline, to_matrix(instances), labels)
