"""Load the documents to index: Markdown and plain-text files under a folder."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".md", ".markdown", ".txt")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Document:
    """A source document. `doc_id` is its path relative to the folder: stable across runs."""

    doc_id: str
    title: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def title_of(text: str, fallback: str) -> str:
    """The first level-1 Markdown heading, else the file name made readable."""
    match = _HEADING.search(text)
    if match:
        return match.group(1).strip()
    return re.sub(r"[-_]+", " ", fallback).strip().capitalize() or fallback


def iter_document_paths(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            yield path


def load_documents(folder: Path) -> list[Document]:
    """Every .md/.markdown/.txt file under `folder` (hidden files skipped), in path order."""
    if not folder.is_dir():
        raise FileNotFoundError(f"documents folder not found: {folder}")
    documents = []
    for path in iter_document_paths(folder):
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").strip()
        if not text:
            continue
        doc_id = path.relative_to(folder).as_posix()
        documents.append(Document(doc_id=doc_id, title=title_of(text, path.stem), text=text))
    return documents
