"""`python -m <package> train`: train, gate on the KPI target, write the model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..kpis import KPIS
from .config import get_model_settings
from .train import QualityGateError, train_and_save


def _train(args: argparse.Namespace) -> int:
    config = get_model_settings()
    if args.model_dir is not None:
        config = config.model_copy(update={"dir": args.model_dir})
    target = KPIS.quality_target
    try:
        metadata = train_and_save(config, target)
    except QualityGateError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    metric = metadata.metric
    print(
        f"{metric.name}={metric.value:.4f} on {metric.heldout_rows} held-out rows "
        f"(target {target}): model {metadata.version} written to {config.dir}"
    )
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = subparsers.add_parser(
        "train",
        help="train on the bundled dataset; refuses to write a model below the KPI target",
    )
    train.add_argument(
        "--model-dir", type=Path, default=None, help="where to write the model (default: MODEL_DIR)"
    )
    train.set_defaults(handler=_train)
