"""Vector stores behind one small interface (`VectorStore`)."""

from .base import ScoredChunk, VectorStore
from .factory import open_store

__all__ = ["ScoredChunk", "VectorStore", "open_store"]
