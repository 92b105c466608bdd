"""Feature attributions of a prediction: how much each feature pushed it towards its label.

For the served model (standardisation, then logistic regression) the exact attribution of a
feature is its weight times its standardised value, in log-odds: the linear SHAP value with the
training data as background (the scaler centres the training data, so its mean is zero). Each
attribution points towards the predicted label, and `base_value` plus their sum is the
label's log-odds, log(p / (1 - p)); SHAP's `LinearExplainer` gives the same numbers, at the cost
of a heavy dependency. Other estimators have no exact linear attribution: they are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .features import FEATURE_COLUMNS


class AttributionsUnavailableError(ValueError):
    """The model is not one whose attributions can be computed exactly."""


@dataclass(frozen=True)
class Explanation:
    base_value: float
    attributions: dict[str, float]  # feature -> log-odds towards the label, largest |value| first


def explain(pipeline: Pipeline, rows: NDArray[np.float64], labels: list[int]) -> list[Explanation]:
    """The attributions of each row towards the class index in `labels` (a binary model)."""
    steps = [step for _, step in pipeline.steps]
    if (
        len(steps) != 2
        or not isinstance(steps[0], StandardScaler)
        or not isinstance(steps[1], LogisticRegression)
        or steps[1].coef_.shape[0] != 1
    ):
        names = " -> ".join(type(step).__name__ for step in steps)
        raise AttributionsUnavailableError(
            f"attributions need a standardised binary logistic regression; this model is {names}"
        )
    scaler: StandardScaler = steps[0]
    classifier: LogisticRegression = steps[1]
    contributions = scaler.transform(rows) * classifier.coef_[0]  # towards class index 1
    intercept = float(classifier.intercept_[0])
    explanations = []
    for row, label in zip(contributions, labels, strict=True):
        sign = 1.0 if label == 1 else -1.0
        ranked = sorted(
            zip(FEATURE_COLUMNS, (sign * float(v) for v in row), strict=True),
            key=lambda item: -abs(item[1]),
        )
        explanations.append(Explanation(base_value=sign * intercept, attributions=dict(ranked)))
    return explanations
