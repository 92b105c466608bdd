"""Model configuration, read from `MODEL_*` environment variables (and `.env`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ModelSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MODEL_", env_file=".env", extra="ignore")

    dir: Path = Field(
        default=Path("var/model"),
        description="Directory holding model.joblib and metadata.json.",
    )
    train_if_missing: bool = Field(
        default=True,
        description="Train on the bundled dataset at startup when no model is found (for local "
        "runs; set to false in production so that only `train` writes models).",
    )
    heldout_fraction: float = Field(
        default=0.25, gt=0, lt=1, description="Share of the dataset kept out of training."
    )
    seed: int = Field(default=42, ge=0, description="Seed of the split and the estimator.")


def get_model_settings() -> ModelSettings:
    return ModelSettings()
