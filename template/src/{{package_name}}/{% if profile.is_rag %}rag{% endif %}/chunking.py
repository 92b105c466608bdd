"""Split documents into overlapping chunks that end on paragraph or sentence boundaries."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .documents import Document

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCES = re.compile(r"(?<=[.!?;:])\s+")


@dataclass(frozen=True)
class Chunk:
    """A passage of a document; `chunk_id` is `<doc_id>#<position>`."""

    chunk_id: str
    doc_id: str
    title: str
    text: str
    position: int
    fingerprint: str

    @property
    def indexed_text(self) -> str:
        """What retrieval sees: the title gives every passage its document's context."""
        return f"{self.title}\n{self.text}"


def _pieces(text: str, size: int) -> list[str]:
    """Paragraphs, split further into sentences and then words until each fits in `size`."""
    pieces: list[str] = []
    for paragraph in _PARAGRAPHS.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= size:
            pieces.append(paragraph)
            continue
        for sentence in _SENTENCES.split(paragraph):
            if len(sentence) <= size:
                pieces.append(sentence)
                continue
            words = sentence.split()
            current = ""
            for word in words:
                while len(word) > size:  # a single "word" longer than a chunk
                    if current:
                        pieces.append(current)
                        current = ""
                    pieces.append(word[:size])
                    word = word[size:]
                candidate = f"{current} {word}" if current else word
                if len(candidate) > size:
                    pieces.append(current)
                    current = word
                else:
                    current = candidate
            if current:
                pieces.append(current)
    return pieces


def chunk_text(text: str, *, size: int, overlap: int) -> list[str]:
    """Greedily pack pieces into chunks of at most `size` characters.

    Each chunk after the first starts with the trailing pieces of the previous one, up to
    `overlap` characters, so a fact cut at a boundary is still whole in one of the two.
    """
    if size <= 0:
        raise ValueError("size must be positive")
    if not 0 <= overlap < size:
        raise ValueError("overlap must be at least 0 and smaller than size")
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for piece in _pieces(text, size):
        separator = 1 if current else 0
        if current and length + separator + len(piece) > size:
            chunks.append("\n".join(current))
            carried: list[str] = []
            carried_length = 0
            for previous in reversed(current):
                extra = len(previous) + (1 if carried else 0)
                if carried_length + extra > overlap or carried_length + extra + len(piece) >= size:
                    break
                carried.insert(0, previous)
                carried_length += extra
            current, length = carried, carried_length
            separator = 1 if current else 0
        current.append(piece)
        length += separator + len(piece)
    if current:
        chunks.append("\n".join(current))
    return chunks


def _body(document: Document) -> str:
    """The text without its leading `# Title` line: every chunk carries the title already."""
    first, _, rest = document.text.partition("\n")
    if first.lstrip("#").strip() == document.title and first.startswith("#"):
        return rest
    return document.text


def chunk_document(document: Document, *, size: int, overlap: int) -> list[Chunk]:
    """Chunks of one document; the fingerprint changes when its text or the chunking does."""
    fingerprint = hashlib.sha256(
        f"{document.sha256}:{size}:{overlap}:{document.title}".encode()
    ).hexdigest()[:32]
    return [
        Chunk(
            chunk_id=f"{document.doc_id}#{position}",
            doc_id=document.doc_id,
            title=document.title,
            text=text,
            position=position,
            fingerprint=fingerprint,
        )
        for position, text in enumerate(chunk_text(_body(document), size=size, overlap=overlap))
    ]
