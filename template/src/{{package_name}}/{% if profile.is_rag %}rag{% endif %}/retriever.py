"""Hybrid retrieval: BM25 and dense results fused with reciprocal rank fusion (RRF).

RRF (Cormack et al., SIGIR 2009) scores a chunk by the sum of 1 / (k + rank) over the rankings
it appears in. It needs no score calibration between BM25 and cosine similarity, which live
on different scales, and rewards chunks that both retrievers rank well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from .chunking import Chunk
from .embeddings import Embedder
from .lexical import Bm25Index
from .stores import ScoredChunk, VectorStore


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Chunk]], *, k: int = 60, limit: int | None = None
) -> list[ScoredChunk]:
    """Fuse ranked lists (best first) into one, best first; ties keep first-seen order."""
    scores: dict[str, float] = {}
    chunks: dict[str, Chunk] = {}
    for ranking in rankings:
        for rank, chunk in enumerate(ranking, start=1):
            scores[chunk.chunk_id] = scores.get(chunk.chunk_id, 0.0) + 1.0 / (k + rank)
            chunks.setdefault(chunk.chunk_id, chunk)
    order = sorted(scores, key=lambda chunk_id: -scores[chunk_id])
    return [ScoredChunk(chunks[i], scores[i]) for i in order[:limit]]


class HybridRetriever:
    def __init__(
        self,
        lexical: Bm25Index,
        store: VectorStore,
        embedder: Embedder,
        *,
        candidates: int = 20,
        rrf_k: int = 60,
    ) -> None:
        self.lexical = lexical
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k

    async def dense(self, query: str, limit: int) -> list[ScoredChunk]:
        [vector] = await self.embedder.embed([query])
        return await asyncio.to_thread(self.store.search, vector, limit)

    async def retrieve(self, query: str, top_k: int) -> list[ScoredChunk]:
        limit = max(self.candidates, top_k)
        dense = await self.dense(query, limit)
        lexical = await asyncio.to_thread(self.lexical.search, query, limit)
        return reciprocal_rank_fusion(
            [[c for c, _ in lexical], [s.chunk for s in dense]], k=self.rrf_k, limit=top_k
        )
