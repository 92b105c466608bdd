"""A/B test routing: which variant (`champion` or `challenger`) serves a caller.

A caller always lands in the same bucket: HMAC-SHA256 of the caller's identity (a digest of the
API key, never the key) keyed with the experiment salt, reduced to a bucket in 0..9999. Buckets
below `challenger_percent` x 100 go to the challenger. Changing the salt starts a new experiment
with a fresh assignment; changing the share moves only the callers between the old and the new
boundary.

`VariantModels` holds the model each variant serves. The challenger's comes from the model
registry's `challenger` alias when there is one, else from the settings
(`AB_CHALLENGER_MODEL*`); with neither, the challenger serves the champion's model (an A/A test).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, get_args

Variant = Literal["champion", "challenger"]
VARIANTS: tuple[Variant, ...] = get_args(Variant)
BUCKETS = 10_000

T = TypeVar("T")


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


@dataclass
class VariantModels(Generic[T]):
    """The model each variant serves. Each is replaced with one assignment (when an alias moves),
    so a request sees the old or the new model, never a mix."""

    champion: T
    challenger: T | None = None
    # True once the challenger has a model of its own (registry or settings); `challenger` is
    # None then only if that model failed to load, and the challenger's callers get a 503.
    own_challenger: bool = False

    def serving(self, variant: Variant) -> T | None:
        if variant == "challenger" and self.own_challenger:
            return self.challenger
        return self.champion

    def set_challenger(self, model: T | None) -> None:
        self.challenger, self.own_challenger = model, True
