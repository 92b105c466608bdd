"""The offline model: answers without a network or an API key, and says so.

It is what `make run` and the tests use when no upstream is configured. It does not pretend to
be a language model: its answers are built from the prompt (and, for retrieval, from the
retrieved passages) and are labelled as offline in the response metadata and the startup log.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence

from .base import Completion, Message, StreamChunk, estimate_tokens

OFFLINE_MODEL_NAME = "offline-extractive"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


class OfflineChatModel:
    provider = "offline"
    offline = True

    def __init__(self, upstream_model: str) -> None:
        self.model = OFFLINE_MODEL_NAME
        self.upstream_model = upstream_model

    def _answer(self, messages: Sequence[Message]) -> str:
        question = next((m.content for m in reversed(messages) if m.role == "user"), "")
        context = "\n".join(m.content for m in messages if m.role == "system")
        passages = [p for p in _SENTENCE.split(context) if p.strip()]
        words = set(re.findall(r"\w{4,}", question.lower()))
        ranked = sorted(
            passages,
            key=lambda p: -len(words & set(re.findall(r"\w{4,}", p.lower()))),
        )
        best = [p.strip() for p in ranked[:2] if words & set(re.findall(r"\w{4,}", p.lower()))]
        if best:
            return " ".join(best)
        return (
            f"[offline model] No upstream model is configured, so this answer was not generated "
            f"by {self.upstream_model}. You said: {question.strip()[:500]}"
        )

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion:
        text = self._answer(messages)
        if max_tokens is not None:
            text = text[: max_tokens * 4]
        prompt = " ".join(m.content for m in messages)
        return Completion(
            text=text,
            model=self.model,
            prompt_tokens=estimate_tokens(prompt),
            completion_tokens=estimate_tokens(text),
        )

    async def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> AsyncIterator[StreamChunk]:
        completion = await self.complete(messages, max_tokens=max_tokens)
        words = completion.text.split(" ")
        for i, word in enumerate(words):
            yield StreamChunk(text=word if i == 0 else " " + word)
        yield StreamChunk(
            text="",
            finish_reason="stop",
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
        )

    async def embed(self, texts: Sequence[str]) -> list[list[float]] | None:
        return None

    async def aclose(self) -> None:
        return None
