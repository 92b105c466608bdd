"""The messages sent to the model: the retrieved passages in the system message."""

from __future__ import annotations

from collections.abc import Sequence

from ..providers import Message
from .stores import ScoredChunk

INSTRUCTIONS = (
    "Answer from the numbered passages only and cite them like [1]. "
    "If they do not hold the answer, say that you do not know."
)
NO_PASSAGES = "No passage was found for this question: say that you do not know."


def build_messages(question: str, passages: Sequence[ScoredChunk]) -> list[Message]:
    if not passages:
        return [Message("system", NO_PASSAGES), Message("user", question)]
    blocks = [
        f"Passage [{n}] from “{p.chunk.title}”:\n{p.chunk.text}"
        for n, p in enumerate(passages, start=1)
    ]
    system = INSTRUCTIONS + "\n\n" + "\n\n".join(blocks)
    return [Message("system", system), Message("user", question)]


def snippet(text: str, limit: int) -> str:
    """The passage shortened to about `limit` characters, on a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + "…"
