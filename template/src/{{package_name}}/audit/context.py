"""What a request contributes to its audit record, gathered while it runs.

The audit middleware opens one `RequestAudit` per request and puts it in a context variable;
the authentication dependency, the model-usage accounting and the routes fill it in. Only
facts go in: identities, counts, model names, decisions -- never prompt text or personal data.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestAudit:
    subject: str | None = None
    auth_method: str | None = None
    key_id: str | None = None
    tenant: str | None = None
    caller: Any = None  # api.security.Caller once authenticated (quotas are charged to it)
    refusal: str | None = None  # why the service refused the request (auth, scope, quota …)
    model: str | None = None
    model_version: str | None = None
    variant: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def add_usage(
        self,
        *,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        cost_usd: float,
        variant: str | None = None,
        model_version: str | None = None,
    ) -> None:
        self.model = model
        self.variant = variant or self.variant
        self.model_version = model_version or self.model_version
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.cost_usd += cost_usd


_current: ContextVar[RequestAudit | None] = ContextVar("request_audit", default=None)


def current_audit() -> RequestAudit:
    """The running request's audit facts (a detached throwaway outside a request)."""
    audit = _current.get()
    return audit if audit is not None else RequestAudit()


def set_current_audit(audit: RequestAudit | None) -> object:
    return _current.set(audit)


def reset_current_audit(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
