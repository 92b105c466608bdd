"""The model's input: one named, validated field per feature of the dataset.

Each of the ten cell-nucleus measurements comes three times: the mean over the nuclei in the
image, its standard error, and the "worst" value (mean of the three largest). Values must be
finite numbers (not strings); sizes must be positive and no measurement can be negative.
`FEATURE_COLUMNS` maps every field to its column in the dataset, in the model's column order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

Size = Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
Measure = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]

_RADIUS = "distance from the centre to points on the perimeter"
_TEXTURE = "standard deviation of grey-scale values"
_PERIMETER = "perimeter of the nucleus"
_AREA = "area of the nucleus"
_SMOOTHNESS = "local variation in radius lengths"
_COMPACTNESS = "perimeter^2 / area - 1.0"
_CONCAVITY = "severity of concave portions of the contour"
_CONCAVE_POINTS = "number of concave portions of the contour"
_SYMMETRY = "symmetry of the nucleus"
_FRACTAL = "'coastline approximation' - 1"


class TumourFeatures(BaseModel):
    """Measurements of the cell nuclei in a digitised fine-needle aspirate of a breast mass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mean_radius: Size = Field(description=f"Mean {_RADIUS}.")
    mean_texture: Measure = Field(description=f"Mean {_TEXTURE}.")
    mean_perimeter: Size = Field(description=f"Mean {_PERIMETER}.")
    mean_area: Size = Field(description=f"Mean {_AREA}.")
    mean_smoothness: Measure = Field(description=f"Mean {_SMOOTHNESS}.")
    mean_compactness: Measure = Field(description=f"Mean {_COMPACTNESS}.")
    mean_concavity: Measure = Field(description=f"Mean {_CONCAVITY}.")
    mean_concave_points: Measure = Field(description=f"Mean {_CONCAVE_POINTS}.")
    mean_symmetry: Measure = Field(description=f"Mean {_SYMMETRY}.")
    mean_fractal_dimension: Measure = Field(description=f"Mean {_FRACTAL}.")
    radius_error: Measure = Field(description=f"Standard error of the {_RADIUS}.")
    texture_error: Measure = Field(description=f"Standard error of the {_TEXTURE}.")
    perimeter_error: Measure = Field(description=f"Standard error of the {_PERIMETER}.")
    area_error: Measure = Field(description=f"Standard error of the {_AREA}.")
    smoothness_error: Measure = Field(description=f"Standard error of the {_SMOOTHNESS}.")
    compactness_error: Measure = Field(description=f"Standard error of {_COMPACTNESS}.")
    concavity_error: Measure = Field(description=f"Standard error of the {_CONCAVITY}.")
    concave_points_error: Measure = Field(description=f"Standard error of the {_CONCAVE_POINTS}.")
    symmetry_error: Measure = Field(description=f"Standard error of the {_SYMMETRY}.")
    fractal_dimension_error: Measure = Field(description=f"Standard error of {_FRACTAL}.")
    worst_radius: Size = Field(description=f"Worst (largest) {_RADIUS}.")
    worst_texture: Measure = Field(description=f"Worst (largest) {_TEXTURE}.")
    worst_perimeter: Size = Field(description=f"Worst (largest) {_PERIMETER}.")
    worst_area: Size = Field(description=f"Worst (largest) {_AREA}.")
    worst_smoothness: Measure = Field(description=f"Worst (largest) {_SMOOTHNESS}.")
    worst_compactness: Measure = Field(description=f"Worst (largest) {_COMPACTNESS}.")
    worst_concavity: Measure = Field(description=f"Worst (largest) {_CONCAVITY}.")
    worst_concave_points: Measure = Field(description=f"Worst (largest) {_CONCAVE_POINTS}.")
    worst_symmetry: Measure = Field(description=f"Worst (largest) {_SYMMETRY}.")
    worst_fractal_dimension: Measure = Field(description=f"Worst (largest) {_FRACTAL}.")


# Field name -> dataset column, in the column order the model is trained on.
FEATURE_COLUMNS: dict[str, str] = {
    name: name.replace("_", " ") for name in TumourFeatures.model_fields
}


def to_matrix(instances: Sequence[TumourFeatures]) -> NDArray[np.float64]:
    """Rows in the model's column order."""
    return np.array(
        [[getattr(item, name) for name in FEATURE_COLUMNS] for item in instances],
        dtype=np.float64,
    )


def from_row(row: Sequence[float]) -> TumourFeatures:
    """The features of one dataset row (columns in dataset order)."""
    return TumourFeatures(**dict(zip(FEATURE_COLUMNS, (float(v) for v in row), strict=True)))
