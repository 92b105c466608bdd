"""The evaluation's inputs: the golden set file and the candidate's parameters.

Both are validated with pydantic; a bad file or parameter is an `EvaluationInputError` whose
message names the file, the item and the field, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class EvaluationInputError(ValueError):
    """The golden set or the candidate's parameters cannot be used; the message says why."""


class GoldenSetError(EvaluationInputError):
    """The golden set file is missing, is not YAML, or does not match its schema."""


class CandidateParamsError(EvaluationInputError):
    """A parameter of the candidate is unknown or has a wrong value."""


def describe(error: ValidationError) -> str:
    """One line per problem: `questions[3].relevant: List should have at least 1 item`."""
    lines = []
    for problem in error.errors():
        where = ""
        for part in problem["loc"]:
            where += f"[{part}]" if isinstance(part, int) else f".{part}"
        lines.append(f"  {where.lstrip('.') or '(top level)'}: {problem['msg']}")
    return "\n".join(lines)


def load_golden_set(path: Path, schema: type[Model]) -> Model:
    """Read and validate a golden set file (YAML)."""
    if not path.is_file():
        raise GoldenSetError(f"golden set not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise GoldenSetError(f"golden set {path} cannot be read as YAML: {exc}") from exc
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise GoldenSetError(f"golden set {path} is invalid:\n{describe(exc)}") from exc


def parse_params(schema: type[Model], params: Mapping[str, Any]) -> Model:
    """Validate the candidate's parameters (e.g. the `evaluate` section of params.yaml)."""
    try:
        return schema.model_validate(dict(params))
    except ValidationError as exc:
        raise CandidateParamsError(f"invalid evaluation parameters:\n{describe(exc)}") from exc
