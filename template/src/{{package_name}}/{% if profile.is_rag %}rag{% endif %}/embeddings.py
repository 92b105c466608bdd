"""Dense embeddings: the model source's own, or a local hashing embedder that needs nothing.

`choose_embedder` probes `ChatModel.embed()` once: when the model source returns vectors they
are used (OpenAI, Azure OpenAI and Mistral offer embeddings); when it returns None (the offline
model, Anthropic, most self-hosted chat runtimes) the `HashingEmbedder` takes over, so dense
retrieval still works offline. Each embedder has its own collection, named after it, so vectors
of different models are never compared.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from ..providers import ChatModel
from .config import RagSettings
from .lexical import tokenize

EMBED_BATCH = 64


class EmbeddingsUnavailableError(RuntimeError):
    """RAG_EMBEDDINGS=model but the model source offers no embeddings."""


class Embedder(Protocol):
    name: str
    dimension: int

    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class HashingEmbedder:
    """Feature hashing of words and character trigrams into a fixed-size, L2-normalised vector.

    This is NOT a semantic model: texts are close when they share words or word fragments
    ("switch" and "switching"), not when they mean the same thing. It is deterministic (BLAKE2b,
    not Python's salted `hash`), needs no download and no network, and makes the dense half of
    hybrid retrieval work offline. Use a real embedding model for semantic recall in production.
    """

    def __init__(self, dimension: int = 384) -> None:
        self.dimension = dimension
        self.name = f"hashing_{dimension}"

    def _features(self, text: str) -> list[tuple[str, float]]:
        words = tokenize(text)
        features = [(f"w:{w}", 1.0) for w in words]
        for word in words:
            padded = f"<{word}>"
            features.extend((f"c:{padded[i : i + 3]}", 0.25) for i in range(len(padded) - 2))
        return features

    def embed_one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for feature, weight in self._features(text):
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            value = int.from_bytes(digest, "big")
            sign = 1.0 if value & 1 else -1.0
            vector[(value >> 1) % self.dimension] += sign * weight
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector] if norm else vector

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.embed_one(t) for t in texts]


Redact = Callable[[str], str]


def _redact_all(redact: Redact, texts: Sequence[str]) -> list[str]:
    return [redact(text) for text in texts]


class ModelEmbedder:
    """Embeddings from the model source (`ChatModel.embed`), sent in batches.

    Its name (hence its collection) includes the embedding model, so changing the model never
    mixes its vectors with the previous model's, even when both have the same dimension.
    `redact` (the privacy filter) runs on every text before it leaves for the model source.
    """

    def __init__(
        self,
        model: ChatModel,
        dimension: int,
        embedding_model: str | None,
        redact: Redact | None = None,
    ) -> None:
        self.model = model
        self.redact = redact
        self.dimension = dimension
        label = f"{model.provider}_{embedding_model or 'default'}_{dimension}"
        self.name = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = list(texts[start : start + EMBED_BATCH])
            if self.redact is not None:
                batch = await asyncio.to_thread(_redact_all, self.redact, batch)
            result = await self.model.embed(batch)
            if result is None or len(result) != len(batch):
                raise EmbeddingsUnavailableError(
                    f"{self.model.provider} returned no embeddings for a batch of {len(batch)}"
                )
            vectors.extend(result)
        return vectors


async def choose_embedder(
    settings: RagSettings,
    model: ChatModel,
    embedding_model: str | None = None,
    redact: Redact | None = None,
) -> Embedder:
    """The model source's embeddings when it has them (and RAG_EMBEDDINGS allows), else hashing.

    `embedding_model` names the model behind `model.embed()` (LLM_EMBEDDING_MODEL); `redact`
    replaces personal data in the texts sent to it.
    """
    if settings.embeddings == "hashing":
        return HashingEmbedder(settings.hashing_dimension)
    probe = await model.embed(["dimension probe"])
    if probe:
        return ModelEmbedder(model, len(probe[0]), embedding_model, redact)
    if settings.embeddings == "model":
        raise EmbeddingsUnavailableError(
            f"RAG_EMBEDDINGS=model but {model.provider} model {model.model} offers no "
            "embeddings; use RAG_EMBEDDINGS=auto or hashing"
        )
    return HashingEmbedder(settings.hashing_dimension)
