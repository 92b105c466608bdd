"""Model sources behind one interface (`ChatModel`)."""

from .base import (
    ChatModel,
    Completion,
    Message,
    ProviderError,
    UpstreamRateLimitedError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)

__all__ = [
    "ChatModel",
    "Completion",
    "Message",
    "ProviderError",
    "UpstreamRateLimitedError",
    "UpstreamTimeoutError",
    "UpstreamUnavailableError",
]
