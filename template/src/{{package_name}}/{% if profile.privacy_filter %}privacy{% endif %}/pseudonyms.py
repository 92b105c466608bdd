"""Deterministic keyed pseudonyms, and putting the original values back into an answer.

A pseudonym is `<ENTITY_xxxxxxxx>`: the entity type and the first 32 bits of
HMAC-SHA256(key, tenant, entity type, normalised value). The same value maps to the same token
within a tenant (so the model can tell two people apart and refer back to them), to a different
token in another tenant, and cannot be reversed without the key. The token → value table of a
request lives only in that request's memory: it is never logged, stored or sent anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

TOKEN = re.compile(r"<[A-Z][A-Z0-9_]*_[0-9a-f]{8}(?:[0-9a-f]{8})?>")
# The start of a token that a stream may still be completing: "<", "<PER", "<PERSON_3f".
_TOKEN_PREFIX = re.compile(r"<[A-Z0-9_]*[0-9a-f]*")
_MAX_TOKEN = 64
_NUMBERS = {"PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD"}


def normalise(entity_type: str, value: str) -> str:
    """The form that is hashed: case, spacing and separators do not change the pseudonym."""
    text = " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    if entity_type in _NUMBERS:
        text = re.sub(r"[^0-9a-z+]", "", text)
    return text


class Pseudonymizer:
    """Tokens for one tenant; remembers what each token stands for (request memory only)."""

    def __init__(self, key: bytes, tenant: str) -> None:
        self._key = key
        self._tenant = tenant
        self.originals: dict[str, str] = {}

    def digest(self, entity_type: str, value: str) -> str:
        message = "\x1f".join((self._tenant, entity_type, normalise(entity_type, value)))
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def token(self, entity_type: str, value: str) -> str:
        digest = self.digest(entity_type, value)
        token = f"<{entity_type}_{digest[:8]}>"
        known = self.originals.get(token)
        if known is not None and normalise(entity_type, known) != normalise(entity_type, value):
            token = f"<{entity_type}_{digest[:16]}>"  # a 32-bit collision within one request
        self.originals.setdefault(token, value)
        return token

    def restore(self, text: str) -> str:
        """`text` with every token this pseudonymizer issued replaced by its original value."""
        if not self.originals or "<" not in text:
            return text
        return TOKEN.sub(lambda m: self.originals.get(m.group(0), m.group(0)), text)


class StreamRestorer:
    """Restores tokens in a streamed answer, whose pieces may split a token anywhere."""

    def __init__(self, pseudonymizer: Pseudonymizer | None) -> None:
        self._pseudonymizer = pseudonymizer
        self._pending = ""

    def feed(self, piece: str) -> str:
        """The text that can be sent now; a possible token's beginning is held back."""
        if self._pseudonymizer is None:
            return piece
        text = self._pending + piece
        cut = text.rfind("<")
        tail = text[cut:] if cut >= 0 else ""
        if tail and len(tail) < _MAX_TOKEN and _TOKEN_PREFIX.fullmatch(tail):
            text, self._pending = text[:cut], tail
        else:
            self._pending = ""
        return self._pseudonymizer.restore(text)

    def flush(self) -> str:
        """What was held back, at the end of the stream."""
        text, self._pending = self._pending, ""
        return self._pseudonymizer.restore(text) if self._pseudonymizer else text
