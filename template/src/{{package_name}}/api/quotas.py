"""Per-caller rate limits and daily token/cost budgets, counted with the `limits` library.

Requests per minute use a moving window; budgets use a fixed window of one day: a request is
refused once the day's tokens (or cost) are spent, and the tokens of each answer are charged when
it completes. The storage is `RATE_LIMIT_STORAGE_URI`: `memory://` counts per process; with
several replicas use a shared one (e.g. `redis://redis:6379`, needs the `redis` package).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from .security import Caller

MICRODOLLARS = 1_000_000  # costs are counted in integer micro-USD


@dataclass(frozen=True)
class QuotaExceeded:
    reason: str  # "rate_limited" | "token_budget_exhausted" | "cost_budget_exhausted"
    message: str
    retry_after_seconds: int


class Quotas:
    def __init__(self, storage_uri: str = "memory://") -> None:
        storage = storage_from_string(storage_uri)
        self._rate = MovingWindowRateLimiter(storage)
        self._budget = FixedWindowRateLimiter(storage)

    def _retry_after(
        self,
        limiter: FixedWindowRateLimiter | MovingWindowRateLimiter,
        item: RateLimitItem,
        who: str,
    ) -> int:
        reset = limiter.get_window_stats(item, who).reset_time
        return max(1, math.ceil(reset - time.time()))

    def admit(self, caller: Caller) -> QuotaExceeded | None:
        """Count one request; None when it may go on, else why not and when to retry."""
        who = caller.subject
        if caller.daily_token_budget is not None:
            item = RateLimitItemPerDay(caller.daily_token_budget, namespace="tokens")
            if not self._budget.test(item, who):
                return QuotaExceeded(
                    "token_budget_exhausted",
                    f"Daily token budget of {caller.daily_token_budget} tokens is spent.",
                    self._retry_after(self._budget, item, who),
                )
        if caller.daily_cost_budget_usd is not None:
            item = RateLimitItemPerDay(_micro(caller.daily_cost_budget_usd), namespace="cost")
            if not self._budget.test(item, who):
                return QuotaExceeded(
                    "cost_budget_exhausted",
                    f"Daily cost budget of {caller.daily_cost_budget_usd} USD is spent.",
                    self._retry_after(self._budget, item, who),
                )
        if caller.rate_limit_per_minute is not None:
            per_minute = RateLimitItemPerMinute(caller.rate_limit_per_minute, namespace="requests")
            if not self._rate.hit(per_minute, who):
                return QuotaExceeded(
                    "rate_limited",
                    f"Rate limit of {caller.rate_limit_per_minute} requests per minute exceeded.",
                    self._retry_after(self._rate, per_minute, who),
                )
        return None

    def charge(self, caller: Caller, *, tokens: int, cost_usd: float) -> None:
        """Spend an answer's tokens and cost from the caller's daily budgets."""
        who = caller.subject
        if caller.daily_token_budget is not None and tokens > 0:
            item = RateLimitItemPerDay(caller.daily_token_budget, namespace="tokens")
            # A charge larger than what is left still spends the rest: the next request waits.
            self._budget.hit(item, who, cost=min(tokens, caller.daily_token_budget))
        if caller.daily_cost_budget_usd is not None and cost_usd > 0:
            budget = _micro(caller.daily_cost_budget_usd)
            item = RateLimitItemPerDay(budget, namespace="cost")
            self._budget.hit(item, who, cost=min(_micro(cost_usd), budget))


def _micro(usd: float) -> int:
    return max(1, math.ceil(usd * MICRODOLLARS))
