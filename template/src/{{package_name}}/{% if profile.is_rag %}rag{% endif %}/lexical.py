"""Lexical retrieval: BM25 (Okapi) over the chunks, with `rank-bm25`. Works offline.

Tokens are lower-cased, accent-folded, stripped of English stop words and stemmed with the
Snowball English stemmer ("adding" and "add" match). For a corpus in another language, change
`STEMMER` and the stop words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer
from rank_bm25 import BM25Okapi

from .chunking import Chunk

_TOKEN = re.compile(r"\w+")
_ENGLISH_STOPWORDS = """a about an and are as at be by can do does for from has have how i if in
into is it its of on or our so than that the their then there these this to was we what when
where which who why will with you your"""
STOPWORDS = frozenset(_ENGLISH_STOPWORDS.split())
STEMMER = snowballstemmer.stemmer("english")


def tokenize(text: str) -> list[str]:
    """Stemmed, lower-cased word tokens without accents or stop words."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [_stem(t) for t in _TOKEN.findall(folded) if t not in STOPWORDS]


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    """The pure-Python stemmer costs ~0.2 ms a word; a corpus repeats its words."""
    stem: str = STEMMER.stemWord(word)
    return stem


class Bm25Index:
    """An in-memory BM25 index; rebuilt from the stored chunks when the service starts."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = list(chunks)
        corpus = [tokenize(c.indexed_text) for c in self.chunks]
        self._bm25 = BM25Okapi(corpus) if any(corpus) else None

    def __len__(self) -> int:
        return len(self.chunks)

    def search(self, query: str, limit: int) -> list[tuple[Chunk, float]]:
        """The best `limit` chunks with a positive score, best first."""
        terms = tokenize(query)
        if self._bm25 is None or not terms or limit <= 0:
            return []
        scores = self._bm25.get_scores(terms)
        ranked = sorted(range(len(self.chunks)), key=lambda i: (-scores[i], i))
        return [(self.chunks[i], float(scores[i])) for i in ranked[:limit] if scores[i] > 0]
