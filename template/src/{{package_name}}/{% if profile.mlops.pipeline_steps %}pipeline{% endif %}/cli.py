"""`pipeline <stage>` and `rollback`: the entry points dvc.yaml, CI/CD and the orchestrator call.

Heavy imports (MLflow, pandas) happen inside the handlers, so `serve` does not pay for them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..logging_setup import configure_logging
from ..settings import get_settings
from .params import PARAMS_FILE, load_params
from .workspace import STAGES


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pipeline = subparsers.add_parser(
        "pipeline", help="run one stage of the MLOps pipeline (dvc repro runs them all)"
    )
    pipeline.add_argument("stage", choices=STAGES)
    pipeline.add_argument("--params", type=Path, default=PARAMS_FILE, help="params.yaml")
    pipeline.set_defaults(handler=_pipeline)

    rollback = subparsers.add_parser(
        "rollback",
        help="move `champion` back to the previous champion when production metrics break a KPI",
    )
    source = rollback.add_mutually_exclusive_group()
    source.add_argument("--observed", type=Path, default=None, help="JSON file of observed metrics")
    source.add_argument(
        "--prometheus-url", default=None, help="Prometheus base URL (default: PROMETHEUS_URL)"
    )
    rollback.add_argument("--reason", default=None, help="why (recorded on the model version)")
    rollback.add_argument(
        "--force", action="store_true", help="roll back without looking at metrics"
    )
    rollback.set_defaults(handler=_rollback)


def _pipeline(args: argparse.Namespace) -> int:
    from .stages import run_stage
    from .validation import DataValidationError

    settings = get_settings()
    configure_logging(settings.log_level)
    try:
        return run_stage(args.stage, settings, load_params(args.params))
    except DataValidationError as exc:
        print(exc.report, file=sys.stderr)
        return 1


def _rollback(args: argparse.Namespace) -> int:
    from .registry import Registry, RollbackImpossibleError
    from .rollback import MetricsSourceError, query_prometheus, read_observed_file, regressions

    settings = get_settings()
    configure_logging(settings.log_level)
    prometheus = args.prometheus_url or settings.prometheus_url
    if args.force:
        found = [args.reason or "forced rollback"]
    elif args.observed is None and prometheus is None:
        print("rollback: give --observed FILE or --prometheus-url (or --force)", file=sys.stderr)
        return 2
    else:
        try:
            observed = (
                read_observed_file(args.observed)
                if args.observed is not None
                else query_prometheus(str(prometheus))
            )
        except MetricsSourceError as exc:
            print(f"rollback: {exc}", file=sys.stderr)
            return 2
        found = regressions(observed)
    registry = Registry(settings.mlflow_tracking_uri, settings.registered_model_name)
    if not found:
        champion = registry.by_alias("champion")
        current = f"v{champion.version}" if champion is not None else "(none)"
        print(f"rollback: champion {current} meets every KPI in production; nothing to do")
        return 0
    reason = "; ".join(found if args.reason is None or args.force else [args.reason, *found])
    try:
        left, restored = registry.rollback(reason)
    except RollbackImpossibleError as exc:
        print(f"rollback: NOT rolled back: {exc}. Regression: {reason}", file=sys.stderr)
        return 1
    print(
        f"rollback: champion moved from v{left.version} back to v{restored.version}. "
        f"Reason: {reason}"
    )
    return 0
