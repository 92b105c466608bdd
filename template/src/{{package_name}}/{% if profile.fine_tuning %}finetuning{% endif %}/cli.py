"""`finetune`: train a LoRA adapter on data/finetune/examples.jsonl and register it in MLflow."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..logging_setup import configure_logging
from ..settings import get_settings

MISSING = (
    "finetune: torch, transformers and peft are not installed; they are the `finetune` "
    "dependency group: `make finetune` (uv run --group finetune ...), see docs/fine-tuning.md"
)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    finetune = subparsers.add_parser(
        "finetune", help="train a LoRA adapter of the self-hosted model and register it"
    )
    finetune.add_argument(
        "--base-model", default=None, help="HF id or local dir (default: FINETUNE_BASE_MODEL)"
    )
    finetune.add_argument("--data", type=Path, default=None, help="JSONL of prompt/completion")
    finetune.add_argument("--output-dir", type=Path, default=None, help="where the adapter goes")
    finetune.add_argument("--epochs", type=int, default=None)
    finetune.add_argument("--batch-size", type=int, default=None)
    finetune.add_argument("--learning-rate", type=float, default=None)
    finetune.add_argument("--max-length", type=int, default=None)
    finetune.add_argument("--rank", type=int, default=None, help="LoRA rank r")
    finetune.add_argument("--alpha", type=int, default=None, help="LoRA alpha")
    finetune.add_argument("--dropout", type=float, default=None, help="LoRA dropout")
    finetune.add_argument(
        "--target-modules", nargs="+", default=None, help="modules to adapt (default: PEFT's)"
    )
    finetune.add_argument("--eval-fraction", type=float, default=None)
    finetune.add_argument("--seed", type=int, default=None)
    finetune.set_defaults(handler=_finetune)


def _finetune(args: argparse.Namespace) -> int:
    from importlib.util import find_spec

    from ..pipeline.params import load_params
    from .data import ExamplesError
    from .lora import LoraParams, train_lora
    from .register import register_adapter

    settings = get_settings()
    configure_logging(settings.log_level)
    if any(find_spec(name) is None for name in ("torch", "transformers", "peft")):
        print(MISSING, file=sys.stderr)
        return 2
    given = {k: v for k, v in vars(args).items() if k in LoraParams.model_fields and v is not None}
    params = LoraParams.model_validate({"base_model": settings.finetune_base_model, **given})
    try:
        result = train_lora(params)
    except ExamplesError as exc:
        print(f"finetune: {exc}", file=sys.stderr)
        return 1
    registration = register_adapter(result, params, settings, load_params().promote_to)
    outcome = (
        f"now `{registration.alias}`" if registration.passed else "registered but NOT promoted"
    )
    print(
        f"finetune: adapter saved to {result.adapter_dir}; {registration.reason}\n"
        f"finetune: {registration.model} v{registration.version} {outcome} "
        f"(MLflow run {registration.run_id})"
    )
    return 0 if registration.passed else 1
