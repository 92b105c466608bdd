"""The interface every vector store adapter implements, and what they share.

Adapters are synchronous (the official clients are); the retriever calls them from a worker
thread so the event loop never waits on the store. A store holds one collection per embedder
(`collection_name`), so switching embedding model never mixes two vector spaces.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..chunking import Chunk

_CHUNK_NAMESPACE = uuid.UUID("7b8f4a52-3c1e-5d2a-9f61-0e4c2b7d9a13")


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float


class VectorStoreError(RuntimeError):
    """The store cannot be used as configured (unreachable, wrong dimension, locked...)."""


class VectorStore(Protocol):
    name: str
    location: str

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None: ...

    def delete_documents(self, doc_ids: Sequence[str]) -> None: ...

    def search(self, vector: Sequence[float], limit: int) -> list[ScoredChunk]: ...

    def all_chunks(self) -> list[Chunk]: ...

    def close(self) -> None: ...


def collection_name(base: str, embedder_name: str) -> str:
    return f"{base}_{embedder_name}"


def point_id(chunk_id: str) -> str:
    """A UUID derived from the chunk id, for stores whose ids must be UUIDs."""
    return str(uuid.uuid5(_CHUNK_NAMESPACE, chunk_id))


def to_payload(chunk: Chunk) -> dict[str, Any]:
    return {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "text": chunk.text,
        "position": chunk.position,
        "fingerprint": chunk.fingerprint,
    }


def from_payload(payload: Mapping[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=str(payload["chunk_id"]),
        doc_id=str(payload["doc_id"]),
        title=str(payload["title"]),
        text=str(payload["text"]),
        position=int(payload["position"]),
        fingerprint=str(payload["fingerprint"]),
    )


def check_lengths(chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], dim: int) -> None:
    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    for vector in vectors:
        if len(vector) != dim:
            raise VectorStoreError(f"vector of dimension {len(vector)} in a {dim}-d collection")
