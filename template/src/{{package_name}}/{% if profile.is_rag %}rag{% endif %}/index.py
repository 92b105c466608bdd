"""The document index the service answers from: embedder, vector store and BM25, opened once."""

from __future__ import annotations

import asyncio
import logging

from ..providers import ChatModel
from .config import RagSettings
from .embeddings import Embedder, Redact, choose_embedder
from .ingest import ingest_folder
from .lexical import Bm25Index
from .retriever import HybridRetriever
from .stores import ScoredChunk, VectorStore, open_store

logger = logging.getLogger(__name__)


class RagIndex:
    def __init__(
        self, settings: RagSettings, embedder: Embedder, store: VectorStore, lexical: Bm25Index
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.lexical = lexical
        self.retriever = HybridRetriever(
            lexical, store, embedder, candidates=settings.candidates, rrf_k=settings.rrf_k
        )

    @classmethod
    async def open(
        cls,
        settings: RagSettings,
        model: ChatModel,
        embedding_model: str | None = None,
        redact: Redact | None = None,
    ) -> RagIndex:
        """Open the store; index `documents_dir` first when it is empty (and allowed to).

        `redact` replaces personal data in every text embedded by the model source.
        """
        embedder = await choose_embedder(settings, model, embedding_model, redact)
        store = await asyncio.to_thread(open_store, settings, embedder.name, embedder.dimension)
        try:
            chunks = await asyncio.to_thread(store.all_chunks)
            if not chunks and settings.index_on_startup and settings.documents_dir.is_dir():
                logger.info("the index is empty: indexing %s", settings.documents_dir)
                await ingest_folder(
                    settings.documents_dir,
                    store,
                    embedder,
                    chunk_size=settings.chunk_size,
                    chunk_overlap=settings.chunk_overlap,
                )
                chunks = await asyncio.to_thread(store.all_chunks)
        except BaseException:
            store.close()
            raise
        logger.info(
            "retrieval index: %s at %s, embedder %s, %d chunks",
            store.name,
            store.location,
            embedder.name,
            len(chunks),
        )
        return cls(settings, embedder, store, Bm25Index(chunks))

    @property
    def chunk_count(self) -> int:
        return len(self.lexical)

    @property
    def document_count(self) -> int:
        return len({c.doc_id for c in self.lexical.chunks})

    async def retrieve(self, question: str, top_k: int | None = None) -> list[ScoredChunk]:
        return await self.retriever.retrieve(question, top_k or self.settings.top_k)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.store.close)
