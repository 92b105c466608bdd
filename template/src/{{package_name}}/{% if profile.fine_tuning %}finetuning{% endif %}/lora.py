"""Train a LoRA adapter on the base model with transformers + peft, in a plain torch loop.

The loss counts the completion tokens only (the prompt is context, not something to learn). The
eval loss on the held-out examples is measured before training (the base model) and after (base
model + adapter), so a run shows whether the adapter learned anything that generalises.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .data import Example, data_version, load_examples, split

IGNORE = -100  # label of the tokens the loss leaves out (prompt, padding)
SUMMARY_FILE = "training-summary.json"


class LoraParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(description="Hugging Face id (hub cache) or local checkpoint dir.")
    data: Path = Path("data/finetune/examples.jsonl")
    output_dir: Path = Path("var/finetune/adapter")
    eval_fraction: float = Field(default=0.2, gt=0, lt=1)
    epochs: int = Field(default=3, ge=1)
    batch_size: int = Field(default=4, ge=1)
    learning_rate: float = Field(default=2e-4, gt=0)
    max_length: int = Field(default=512, ge=8, description="Tokens per example (truncated).")
    rank: int = Field(default=8, ge=1, description="LoRA rank r.")
    alpha: int = Field(default=16, ge=1, description="LoRA scaling alpha.")
    dropout: float = Field(default=0.05, ge=0, lt=1)
    target_modules: list[str] | None = Field(
        default=None, description="Modules to adapt; None: PEFT's default for the architecture."
    )
    seed: int = 0


@dataclass(frozen=True)
class FinetuneResult:
    adapter_dir: Path
    data_version: str
    train_examples: int
    eval_examples: int
    steps: int
    train_loss: float
    eval_loss_before: float
    eval_loss_after: float

    def metrics(self) -> dict[str, float]:
        return {
            "eval_loss_before": self.eval_loss_before,
            "eval_loss_after": self.eval_loss_after,
            "eval_loss_improvement": self.eval_loss_before - self.eval_loss_after,
            "train_loss": self.train_loss,
            "train_examples": float(self.train_examples),
            "eval_examples": float(self.eval_examples),
            "steps": float(self.steps),
        }


def encode(tokenizer: Any, example: Example, max_length: int) -> tuple[list[int], list[int]]:
    """(input ids, labels): prompt + newline + completion + end of text; prompt labels ignored."""
    prompt: list[int] = tokenizer(example.prompt + "\n")["input_ids"]
    completion: list[int] = tokenizer(example.completion, add_special_tokens=False)["input_ids"]
    if tokenizer.eos_token_id is not None:
        completion = [*completion, tokenizer.eos_token_id]
    ids = (prompt + completion)[:max_length]
    labels = ([IGNORE] * len(prompt) + completion)[:max_length]
    return ids, labels


def collate(batch: Sequence[tuple[list[int], list[int]]], pad_id: int) -> dict[str, Any]:
    import torch

    width = max(len(ids) for ids, _ in batch)
    ids = [row + [pad_id] * (width - len(row)) for row, _ in batch]
    labels = [row + [IGNORE] * (width - len(row)) for _, row in batch]
    mask = [[1] * len(row) + [0] * (width - len(row)) for row, _ in batch]
    return {
        "input_ids": torch.tensor(ids),
        "labels": torch.tensor(labels),
        "attention_mask": torch.tensor(mask),
    }


def batch_loss(model: Any, batch: dict[str, Any], device: Any) -> tuple[Any, int]:
    """(summed cross-entropy of the next-token predictions, number of predicted tokens)."""
    import torch.nn.functional as F

    logits = model(
        input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device)
    ).logits[:, :-1]
    labels = batch["labels"].to(device)[:, 1:]
    loss = F.cross_entropy(
        logits.reshape(-1, logits.size(-1)).float(),
        labels.reshape(-1),
        ignore_index=IGNORE,
        reduction="sum",
    )
    return loss, int((labels != IGNORE).sum())


def mean_loss(
    model: Any, encoded: list[tuple[list[int], list[int]]], pad_id: int, device: Any, size: int
) -> float:
    import torch

    model.eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(encoded), size):
            loss, count = batch_loss(model, collate(encoded[start : start + size], pad_id), device)
            total += float(loss.item())
            tokens += count
    return total / max(tokens, 1)


def train_lora(params: LoraParams) -> FinetuneResult:
    """Train, evaluate and save the adapter to params.output_dir (PEFT `save_pretrained`)."""
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    train_set, eval_set = split(load_examples(params.data), params.eval_fraction, params.seed)
    random.seed(params.seed)
    torch.manual_seed(params.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if device.type == "cuda" and torch.cuda.is_bf16_supported() else None

    tokenizer = AutoTokenizer.from_pretrained(params.base_model)
    model = AutoModelForCausalLM.from_pretrained(params.base_model, dtype=dtype).to(device)
    pad_id = tokenizer.pad_token_id
    if pad_id is None:
        pad_id = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 0
    train_encoded = [encode(tokenizer, e, params.max_length) for e in train_set]
    eval_encoded = [encode(tokenizer, e, params.max_length) for e in eval_set]
    before = mean_loss(model, eval_encoded, pad_id, device, params.batch_size)

    config = LoraConfig(
        task_type=TaskType.CAUSAL_LM,
        r=params.rank,
        lora_alpha=params.alpha,
        lora_dropout=params.dropout,
        target_modules=params.target_modules,
    )
    model = get_peft_model(model, config)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=params.learning_rate
    )
    order = random.Random(params.seed)  # noqa: S311 - a reproducible order, not a secret
    steps, last_epoch_loss = 0, 0.0
    for _ in range(params.epochs):
        model.train()
        shuffled = list(train_encoded)
        order.shuffle(shuffled)
        total, tokens = 0.0, 0
        for start in range(0, len(shuffled), params.batch_size):
            loss, count = batch_loss(
                model, collate(shuffled[start : start + params.batch_size], pad_id), device
            )
            (loss / max(count, 1)).backward()
            optimizer.step()
            optimizer.zero_grad()
            total += float(loss.item())
            tokens += count
            steps += 1
        last_epoch_loss = total / max(tokens, 1)
    after = mean_loss(model, eval_encoded, pad_id, device, params.batch_size)

    params.output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(params.output_dir))
    result = FinetuneResult(
        adapter_dir=params.output_dir,
        data_version=data_version(params.data),
        train_examples=len(train_set),
        eval_examples=len(eval_set),
        steps=steps,
        train_loss=last_epoch_loss,
        eval_loss_before=before,
        eval_loss_after=after,
    )
    summary = {
        "params": params.model_dump(mode="json"),
        **asdict(result),
        "adapter_dir": str(params.output_dir),
    }
    (params.output_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    return result
