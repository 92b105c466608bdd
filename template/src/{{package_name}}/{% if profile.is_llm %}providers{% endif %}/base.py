"""The interface every model source implements, and the errors it may raise.

Adapters translate their SDK's exceptions into the three errors below, after the SDK's own
retries with exponential backoff are exhausted; the API turns them into 503 (rate limited),
504 (timeout) and 502 (anything else the upstream did wrong) — never a 500.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str = "stop"


@dataclass(frozen=True)
class StreamChunk:
    """A piece of a streamed answer; the last chunk carries usage and finish_reason."""

    text: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ProviderError(Exception):
    """The model source failed; `kind` names the failure for metrics and the API."""

    kind = "upstream_error"
    status_code = 502

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamTimeoutError(ProviderError):
    kind = "upstream_timeout"
    status_code = 504


class UpstreamRateLimitedError(ProviderError):
    kind = "upstream_rate_limited"
    status_code = 503


class UpstreamUnavailableError(ProviderError):
    kind = "upstream_unavailable"
    status_code = 502


class ChatModel(Protocol):
    """A chat model. `offline` is True only for the built-in offline model."""

    provider: str
    model: str
    offline: bool

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion: ...

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> AsyncIterator[StreamChunk]: ...

    async def embed(self, texts: Sequence[str]) -> list[list[float]] | None:
        """Embeddings from the same source, or None when it offers none."""
        ...

    async def aclose(self) -> None: ...


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The delay an upstream asked for: `retry-after-ms`, or `Retry-After` (seconds or a date)."""
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(when.tzinfo or UTC)).total_seconds())


def estimate_tokens(text: str) -> int:
    """Rough token count (about four characters a token) for sources that report no usage."""
    return max(1, (len(text) + 3) // 4)
