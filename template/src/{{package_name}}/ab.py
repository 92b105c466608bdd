"""A/B test routing: which variant (`champion` or `challenger`) serves a caller.

A caller always lands in the same bucket: HMAC-SHA256 of the caller's identity (a digest of the
API key, never the key) keyed with the experiment salt, reduced to a bucket in 0..9999. Buckets
below `challenger_percent` x 100 go to the challenger. Changing the salt starts a new experiment
with a fresh assignment; changing the share moves only the callers between the old and the new
boundary.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal, get_args

Variant = Literal["champion", "challenger"]
VARIANTS: tuple[Variant, ...] = get_args(Variant)
BUCKETS = 10_000


@dataclass(frozen=True)
class VariantRouter:
    """Sticky, deterministic split of callers between the champion and the challenger."""

    challenger_percent: float
    salt: str

    def __post_init__(self) -> None:
        if not 0 <= self.challenger_percent <= 100:
            raise ValueError(
                f"challenger_percent must be within 0..100, not {self.challenger_percent}"
            )

    @property
    def enabled(self) -> bool:
        """False when nobody is routed to the challenger: no A/B test is running."""
        return self.challenger_percent > 0

    def bucket(self, caller: str) -> int:
        mac = hmac.new(self.salt.encode("utf-8"), caller.encode("utf-8"), hashlib.sha256)
        return int.from_bytes(mac.digest()[:8], "big") % BUCKETS

    def variant_for(self, caller: str) -> Variant:
        if not self.enabled:
            return "champion"
        boundary = round(self.challenger_percent * BUCKETS / 100)
        return "challenger" if self.bucket(caller) < boundary else "champion"
