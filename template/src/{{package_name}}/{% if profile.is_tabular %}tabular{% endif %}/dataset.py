"""The training data: scikit-learn's bundled Breast Cancer Wisconsin (Diagnostic) dataset.

It ships inside scikit-learn, so training needs no download. The split is stratified and seeded,
so the same configuration always holds out the same rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

DATASET_NAME = "sklearn.datasets.load_breast_cancer"


@dataclass(frozen=True)
class Dataset:
    features: NDArray[np.float64]
    target: NDArray[np.int64]
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the column names, the values and the labels."""
        digest = hashlib.sha256()
        digest.update("\n".join(self.feature_names).encode("utf-8"))
        digest.update(np.ascontiguousarray(self.features).tobytes())
        digest.update(np.ascontiguousarray(self.target).tobytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class Split:
    train_index: NDArray[np.intp]
    heldout_index: NDArray[np.intp]


def load_dataset() -> Dataset:
    bunch = load_breast_cancer()
    return Dataset(
        features=np.asarray(bunch.data, dtype=np.float64),
        target=np.asarray(bunch.target, dtype=np.int64),
        feature_names=tuple(str(name) for name in bunch.feature_names),
        class_names=tuple(str(name) for name in bunch.target_names),
    )


def split_dataset(dataset: Dataset, heldout_fraction: float, seed: int) -> Split:
    """Stratified, seeded train/held-out split (row indices into the dataset)."""
    rows = np.arange(len(dataset.target))
    train_index, heldout_index = train_test_split(
        rows, test_size=heldout_fraction, random_state=seed, stratify=dataset.target
    )
    return Split(train_index=np.sort(train_index), heldout_index=np.sort(heldout_index))
