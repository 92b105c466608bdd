"""The training examples: a JSONL file of {"prompt": ..., "completion": ...} objects."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path


class ExamplesError(ValueError):
    """The examples file is missing, malformed or too small to split."""


@dataclass(frozen=True)
class Example:
    prompt: str
    completion: str


def load_examples(path: Path) -> list[Example]:
    if not path.is_file():
        raise ExamplesError(f"{path}: no such file")
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExamplesError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) and item[key].strip() for key in ("prompt", "completion")
        ):
            raise ExamplesError(
                f"{path}:{number}: needs non-empty string `prompt` and `completion`"
            )
        examples.append(Example(item["prompt"], item["completion"]))
    return examples


def split(
    examples: list[Example], eval_fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """(train, eval): a seeded shuffle, at least one example on each side."""
    if len(examples) < 2:
        raise ExamplesError(f"{len(examples)} example(s): need at least 2 (train and eval)")
    shuffled = list(examples)
    random.Random(seed).shuffle(shuffled)  # noqa: S311 - a reproducible split, not a secret
    held_out = min(len(shuffled) - 1, max(1, round(len(shuffled) * eval_fraction)))
    return shuffled[held_out:], shuffled[:held_out]


def data_version(path: Path) -> str:
    """MD5 of the examples file: the data version recorded with the adapter."""
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
