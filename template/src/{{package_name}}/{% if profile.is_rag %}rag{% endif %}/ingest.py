"""Index documents: chunk, embed and upsert the ones that are new or changed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import Chunk, chunk_document
from .documents import Document, load_documents
from .embeddings import Embedder
from .stores import VectorStore

logger = logging.getLogger(__name__)

BATCH = 64


@dataclass
class IngestReport:
    documents: int = 0
    indexed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_written: int = 0
    removed: list[str] = field(default_factory=list)


async def ingest_documents(
    documents: Sequence[Document],
    store: VectorStore,
    embedder: Embedder,
    *,
    chunk_size: int,
    chunk_overlap: int,
    force: bool = False,
    prune: bool = False,
) -> IngestReport:
    """Replace the chunks of every new or changed document (all of them with `force`).

    A document is unchanged when its stored chunks carry the same fingerprint (text, title and
    chunking settings); re-running ingest on the same folder embeds nothing. With `prune`,
    indexed documents that are not in `documents` are removed from the store.
    """
    stored = await asyncio.to_thread(store.all_chunks)
    fingerprints = {c.doc_id: c.fingerprint for c in stored}
    report = IngestReport(documents=len(documents))
    pending: list[Chunk] = []
    for document in documents:
        chunks = chunk_document(document, size=chunk_size, overlap=chunk_overlap)
        if not chunks:
            continue
        if not force and fingerprints.get(document.doc_id) == chunks[0].fingerprint:
            report.unchanged += 1
            continue
        report.indexed.append(document.doc_id)
        pending.extend(chunks)
    if prune:
        present = {d.doc_id for d in documents}
        report.removed = sorted(doc_id for doc_id in fingerprints if doc_id not in present)
    replaced = [doc_id for doc_id in report.indexed if doc_id in fingerprints]
    if replaced or report.removed:
        await asyncio.to_thread(store.delete_documents, replaced + report.removed)
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        vectors = await embedder.embed([c.indexed_text for c in batch])
        await asyncio.to_thread(store.upsert, batch, vectors)
        report.chunks_written += len(batch)
    logger.info(
        "ingest: %d documents, %d indexed (%d chunks), %d unchanged, %d removed",
        report.documents,
        len(report.indexed),
        report.chunks_written,
        report.unchanged,
        len(report.removed),
    )
    return report


async def ingest_folder(
    folder: Path,
    store: VectorStore,
    embedder: Embedder,
    *,
    chunk_size: int,
    chunk_overlap: int,
    force: bool = False,
    prune: bool = False,
) -> IngestReport:
    documents = await asyncio.to_thread(load_documents, folder)
    return await ingest_documents(
        documents,
        store,
        embedder,
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        force=force,
        prune=prune,
    )
