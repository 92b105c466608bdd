"""Register a trained adapter like any model: an MLflow run (params, metrics, the adapter
directory as its `adapter` artefact), a version of the adapters' registered model, and the
`champion`/`challenger` aliases moved only when the adapter passes its gate."""

from __future__ import annotations

from dataclasses import dataclass

import mlflow

from ..pipeline.promotion import flatten
from ..pipeline.registry import CHAMPION, Registry
from ..settings import Settings
from .lora import FinetuneResult, LoraParams


@dataclass(frozen=True)
class Registration:
    model: str
    version: str
    run_id: str
    alias: str
    passed: bool
    reason: str


def gate(result: FinetuneResult, champion_loss: float | None) -> tuple[bool, str]:
    """The adapter must beat the base model on the held-out examples, and not be worse than the
    champion adapter evaluated on the same data."""
    if result.eval_loss_after >= result.eval_loss_before:
        return False, (
            f"eval loss {result.eval_loss_after:.4f} is not below the base model's "
            f"{result.eval_loss_before:.4f}"
        )
    if champion_loss is not None and result.eval_loss_after > champion_loss:
        return False, (
            f"eval loss {result.eval_loss_after:.4f} is above the champion's {champion_loss:.4f}"
        )
    return True, (
        f"eval loss {result.eval_loss_before:.4f} -> {result.eval_loss_after:.4f} on "
        f"{result.eval_examples} held-out example(s)"
    )


def register_adapter(
    result: FinetuneResult, params: LoraParams, settings: Settings, promote_to: str
) -> Registration:
    registry = Registry(settings.mlflow_tracking_uri, settings.finetune_registered_model_name)
    champion = registry.by_alias(CHAMPION)
    champion_loss = None
    if champion is not None and champion.tags.get("data_version") == result.data_version:
        champion_loss = registry.metrics_of(champion).get("eval_loss_after")
    passed, reason = gate(result, champion_loss)
    alias = promote_to if champion is not None else CHAMPION
    tags = {
        "data_version": result.data_version,
        "base_model": params.base_model,
        "gate": "passed" if passed else "refused",
    }
    experiment = f"{settings.finetune_registered_model_name}-finetune"
    with registry.run(experiment, run_name=f"lora-{result.data_version[:8]}") as run_id:
        mlflow.log_params(flatten(params.model_dump(mode="json")))
        mlflow.log_metrics(result.metrics())
        mlflow.set_tags(tags)
        mlflow.log_artifacts(str(result.adapter_dir), artifact_path="adapter")
        version = registry.register(
            f"runs:/{run_id}/adapter",
            run_id,
            tags=tags,
            description=f"LoRA adapter of {params.base_model}: {reason}",
        )
    if passed:
        registry.promote(str(version.version), alias)
    return Registration(
        model=registry.model_name,
        version=str(version.version),
        run_id=run_id,
        alias=alias,
        passed=passed,
        reason=reason,
    )
