"""`ingest <folder>`: index a folder of documents into the configured vector store."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ..logging_setup import configure_logging
from ..privacy import PrivacyConfigurationError, build_privacy_engine
from ..providers import ProviderError
from ..providers.factory import build_chat_model
from ..settings import get_settings
from .config import get_rag_settings
from .embeddings import EmbeddingsUnavailableError, choose_embedder
from .ingest import IngestReport, ingest_folder
from .stores import open_store
from .stores.base import VectorStoreError


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ingest", help="index the .md/.txt documents of a folder into the vector store"
    )
    parser.add_argument("folder", type=Path, help="folder of documents, e.g. data/documents")
    parser.add_argument(
        "--force", action="store_true", help="re-index documents that did not change too"
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="remove indexed documents that are no longer in the folder",
    )
    parser.set_defaults(handler=_ingest)


async def _run(folder: Path, *, force: bool, prune: bool) -> IngestReport:
    settings = get_settings()
    rag = get_rag_settings()
    privacy = build_privacy_engine(settings)
    model = build_chat_model(settings)
    try:
        embedder = await choose_embedder(
            rag, model, settings.llm_embedding_model, privacy.placeholders
        )
        store = await asyncio.to_thread(open_store, rag, embedder.name, embedder.dimension)
        try:
            return await ingest_folder(
                folder,
                store,
                embedder,
                chunk_size=rag.chunk_size,
                chunk_overlap=rag.chunk_overlap,
                force=force,
                prune=prune,
            )
        finally:
            await asyncio.to_thread(store.close)
    finally:
        await model.aclose()


def _ingest(args: argparse.Namespace) -> int:
    configure_logging(get_settings().log_level)
    if not args.folder.is_dir():
        print(f"ingest: {args.folder} is not a folder", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(_run(args.folder, force=args.force, prune=args.prune))
    except (
        VectorStoreError,
        ProviderError,
        EmbeddingsUnavailableError,
        PrivacyConfigurationError,
    ) as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 1
    print(
        f"{report.documents} documents in {args.folder}: {len(report.indexed)} indexed "
        f"({report.chunks_written} chunks), {report.unchanged} unchanged, "
        f"{len(report.removed)} removed"
    )
    return 0
