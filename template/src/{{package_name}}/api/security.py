"""API-key authentication: keys are compared by SHA-256 digest in constant time."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from ..settings import Settings


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiKeyStore:
    digests: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiKeyStore:
        digests = {digest(k.get_secret_value()) for k in settings.api_keys}
        digests |= {d.lower() for d in settings.api_key_sha256}
        return cls(frozenset(digests))

    def verify(self, presented: str) -> bool:
        candidate = digest(presented)
        # Compare against every digest so timing does not reveal which one matched.
        matched = False
        for known in self.digests:
            matched |= hmac.compare_digest(candidate, known)
        return matched
