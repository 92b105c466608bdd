"""`evaluate`: score the candidate on the golden set, print a report, write the metrics."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from ..kpis import KPIS
from ..logging_setup import configure_logging
from ..providers import ProviderError
from ..settings import get_settings
from .candidate import evaluate_candidate
from .inputs import CandidateParamsError, EvaluationInputError


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate the model candidate on the golden set: print a report, write the metrics",
    )
    parser.add_argument(
        "--params",
        type=Path,
        default=None,
        help="YAML file of the candidate's parameters; default: the current settings",
    )
    parser.add_argument(
        "--section",
        default=None,
        help="take the parameters under this key of the --params file (e.g. model)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="write the metrics as JSON (e.g. metrics.json)"
    )
    parser.add_argument(
        "--details", type=Path, default=None, help="write the result of every item as JSON"
    )
    parser.set_defaults(handler=_evaluate)


def read_params(path: Path, section: str | None = None) -> dict[str, Any]:
    """The candidate's parameters: the YAML mapping in `path`, or the one under `section`."""
    if not path.is_file():
        raise CandidateParamsError(f"parameters file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CandidateParamsError(f"{path} cannot be read as YAML: {exc}") from exc
    where = str(path)
    if section is not None:
        if not isinstance(data, dict) or section not in data:
            raise CandidateParamsError(f"{path} has no `{section}:` section")
        data, where = data[section], f"{path}, `{section}:`"
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CandidateParamsError(f"{where} must be a mapping of parameter names to values")
    return data


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _evaluate(args: argparse.Namespace) -> int:
    settings = get_settings()
    configure_logging(settings.log_level)
    try:
        params = read_params(args.params, args.section) if args.params else {}
        result = evaluate_candidate(settings, params)
    except EvaluationInputError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    # The model source failed, or it (or the vector store) is not usable as configured: the
    # factory, embedder and store raise RuntimeErrors that say why.
    except (ProviderError, RuntimeError) as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 1
    print(result.report(KPIS))
    if args.output:
        _write_json(args.output, result.metrics)
    if args.details:
        _write_json(args.details, result.to_dict())
    return 0
