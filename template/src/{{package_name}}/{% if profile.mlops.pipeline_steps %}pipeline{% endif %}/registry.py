"""The MLflow side: tracking runs and the model registry with the `champion`/`challenger` aliases.

Locally the tracking and registry store is a SQLite file (settings.mlflow_tracking_uri); in
production MLFLOW_TRACKING_URI points at the MLflow server. Aliases, never the deprecated stages.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# MLflow's usage telemetry would phone home from CI and tests: off unless the team opts in.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Run
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

CHAMPION = "champion"
CHALLENGER = "challenger"
PREVIOUS_CHAMPION_TAG = "previous_champion"


class RollbackImpossibleError(RuntimeError):
    """There is no champion, or it has no earlier champion to go back to."""


def local_store_path(tracking_uri: str) -> Path | None:
    """The file of a `sqlite:///` store (None for a server URL)."""
    prefix = "sqlite:///"
    return Path(tracking_uri[len(prefix) :]) if tracking_uri.startswith(prefix) else None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Registry:
    def __init__(self, tracking_uri: str, model_name: str) -> None:
        store = local_store_path(tracking_uri)
        if store is not None:
            store.parent.mkdir(parents=True, exist_ok=True)
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_registry_uri(tracking_uri)
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        self.model_name = model_name
        # Artefacts of a local store sit beside it (not in ./mlruns); a server decides its own.
        self.artifact_root = (
            (store.parent / "artifacts").resolve().as_uri() if store is not None else None
        )

    # ------------------------------------------------------------------ reading
    def by_alias(self, alias: str) -> ModelVersion | None:
        try:
            return self.client.get_model_version_by_alias(self.model_name, alias)
        except MlflowException as exc:
            if exc.error_code in (
                "RESOURCE_DOES_NOT_EXIST",
                "NOT_FOUND",
                "INVALID_PARAMETER_VALUE",
            ):
                return None
            raise

    def version(self, version: str) -> ModelVersion:
        return self.client.get_model_version(self.model_name, version)

    def run_of(self, version: ModelVersion) -> Run | None:
        return self.client.get_run(version.run_id) if version.run_id else None

    def metrics_of(self, version: ModelVersion) -> dict[str, float]:
        run = self.run_of(version)
        return dict(run.data.metrics) if run is not None else {}

    # ------------------------------------------------------------------ writing
    @contextmanager
    def run(self, experiment: str, run_name: str) -> Iterator[str]:
        """An active MLflow run (the fluent API logs into it); yields its id."""
        if self.client.get_experiment_by_name(experiment) is None:
            self.client.create_experiment(experiment, artifact_location=self.artifact_root)
        mlflow.set_experiment(experiment)
        with mlflow.start_run(run_name=run_name) as active:
            yield active.info.run_id

    def register(
        self, model_uri: str, run_id: str, tags: Mapping[str, str], description: str
    ) -> ModelVersion:
        """A new version of the registered model from a logged model or a run's artefacts."""
        try:
            self.client.create_registered_model(self.model_name)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        if model_uri.startswith("models:/"):
            created = mlflow.register_model(model_uri, self.model_name, tags=dict(tags))
            self.client.update_model_version(self.model_name, created.version, description)
            return self.version(created.version)
        return self.client.create_model_version(
            self.model_name,
            source=model_uri,
            run_id=run_id,
            tags=dict(tags),
            description=description,
        )

    def set_alias(self, alias: str, version: str) -> None:
        self.client.set_registered_model_alias(self.model_name, alias, version)

    def delete_alias(self, alias: str) -> None:
        self.client.delete_registered_model_alias(self.model_name, alias)

    def tag(self, version: str, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            self.client.set_model_version_tag(self.model_name, version, key, str(value))

    def promote(self, version: str, alias: str) -> ModelVersion | None:
        """Point `alias` at `version`; champion promotions remember the champion they replace."""
        previous = self.by_alias(alias)
        if alias == CHAMPION and previous is not None and str(previous.version) != version:
            self.tag(version, {PREVIOUS_CHAMPION_TAG: str(previous.version)})
        self.tag(version, {f"promoted_to_{alias}_at": now()})
        self.set_alias(alias, version)
        challenger = self.by_alias(CHALLENGER)
        if alias == CHAMPION and challenger is not None and str(challenger.version) == version:
            self.delete_alias(CHALLENGER)  # the challenger won: it is the champion now
        return previous

    def rollback(self, reason: str) -> tuple[ModelVersion, ModelVersion]:
        """Move `champion` back to the champion it replaced; record why on both versions."""
        current = self.by_alias(CHAMPION)
        if current is None:
            raise RollbackImpossibleError(f"{self.model_name} has no champion to roll back")
        previous_version = current.tags.get(PREVIOUS_CHAMPION_TAG)
        if not previous_version:
            raise RollbackImpossibleError(
                f"{self.model_name} v{current.version} has no earlier champion to go back to"
            )
        when = now()
        self.set_alias(CHAMPION, previous_version)
        self.tag(str(current.version), {"rolled_back_at": when, "rolled_back_reason": reason})
        note = f"{when}: rolled back from champion to v{previous_version}. Reason: {reason}"
        description = f"{current.description}\n\n{note}" if current.description else note
        self.client.update_model_version(self.model_name, str(current.version), description)
        self.tag(previous_version, {"restored_at": when, "restored_from": str(current.version)})
        return current, self.version(previous_version)
