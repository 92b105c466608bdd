"""One audit record per API request, on disk before the response completes.

The last message of every response is held back until the request's record is fsync'ed, so a
caller that received a complete response has an audit record, whatever happens to the process
next. A non-streaming response is held whole: if the record cannot be written, the caller gets
a 503 instead of an answer nobody could account for. Health and metrics routes are not audited.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..logging_setup import request_id_var
from .context import RequestAudit, reset_current_audit, set_current_audit
from .trail import AuditTrail

logger = logging.getLogger(__name__)

UNAUDITED_PATHS = frozenset(
    {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
)
_UNAVAILABLE = json.dumps(
    {"error": {"message": "The audit trail is unavailable.", "type": "service_unavailable"}}
).encode()


class AuditMiddleware:
    def __init__(self, app: ASGIApp, trail: AuditTrail) -> None:
        self.app = app
        self.trail = trail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNAUDITED_PATHS:
            await self.app(scope, receive, send)
            return
        audit = RequestAudit()
        token = set_current_audit(audit)
        started = time.perf_counter()
        status = 500
        held_start: Message | None = None
        recorded = False

        async def record() -> None:
            nonlocal recorded
            recorded = True
            await self.trail.append(_record(scope, audit, status, started))
            _charge_quotas(scope, audit)

        async def send_audited(message: Message) -> None:
            nonlocal status, held_start
            if message["type"] == "http.response.start":
                status = message["status"]
                held_start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            last = not message.get("more_body", False)
            if last and not recorded:
                try:
                    await record()
                except Exception:
                    if held_start is None:
                        raise  # streaming: headers are out; cut the stream, do not finish it
                    logger.exception("audit record not written: answering 503")
                    await send(_unavailable_start())
                    await send({"type": "http.response.body", "body": _UNAVAILABLE})
                    held_start = None
                    return
            if held_start is not None:
                await send(held_start)
                held_start = None
            await send(message)

        try:
            await self.app(scope, receive, send_audited)
        finally:
            try:
                if not recorded:  # an exception or a dropped connection: record it anyway
                    await record()
            finally:
                reset_current_audit(token)


def _unavailable_start() -> Message:
    return {
        "type": "http.response.start",
        "status": 503,
        "headers": [(b"content-type", b"application/json"), (b"retry-after", b"5")],
    }


def _record(scope: Scope, audit: RequestAudit, status: int, started: float) -> dict[str, Any]:
    state: dict[str, Any] = scope.get("state") or {}
    route = scope.get("route")
    policy = state.get("policy_decision")
    policy = None if policy is None else str(policy)
    refused = audit.refusal or (policy if policy and policy.startswith("refus") else None)
    return {
        "type": "request",
        "ts": datetime.now(UTC).isoformat(timespec="microseconds"),
        "request_id": request_id_var.get(),
        "subject": audit.subject,
        "auth_method": audit.auth_method,
        "key_id": audit.key_id,
        "tenant": audit.tenant,
        "method": scope.get("method"),
        "route": getattr(route, "path", None) or "unmatched",
        "status": status,
        "decision": "refused" if refused else "allowed",
        "reason": refused,
        "policy": policy,
        "service_version": __version__,
        "model": audit.model,
        "model_version": audit.model_version,
        "variant": audit.variant,
        "prompt_tokens": audit.prompt_tokens,
        "completion_tokens": audit.completion_tokens,
        "cost_usd": round(audit.cost_usd, 8),
        "latency_ms": round((time.perf_counter() - started) * 1000, 3),
        "redactions": {str(k): int(v) for k, v in (state.get("redaction_counts") or {}).items()},
    }


def _charge_quotas(scope: Scope, audit: RequestAudit) -> None:
    quotas = getattr(scope["app"].state, "quotas", None)
    if quotas is not None and audit.caller is not None:
        quotas.charge(
            audit.caller,
            tokens=audit.prompt_tokens + audit.completion_tokens,
            cost_usd=audit.cost_usd,
        )
