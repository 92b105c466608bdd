"""Authentication and authorisation as FastAPI dependencies.

Both are `async def`: key lookups and quotas (in memory) never wait, so they run on the event
loop; only token verification, which may fetch the provider's keys, runs in a thread.
`authenticate` finds the caller (an API key or an OIDC/JWT bearer token) or answers 401.
`authorize` adds the route's permissions: a route declares them once, e.g.
`dependencies=[Security(authorize, scopes=["chat"])]`, and a caller without one of them gets 403;
then the caller's quotas apply (429 with Retry-After). The scopes appear in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import (
    APIKeyHeader,
    HTTPAuthorizationCredentials,
    HTTPBearer,
    SecurityScopes,
)
from starlette.concurrency import run_in_threadpool

from ..audit.context import current_audit
from ..settings import Settings
from .errors import ServiceError
from .security import ApiKeyStore, Caller, InvalidToken, TokenVerifier

_bearer = HTTPBearer(auto_error=False, description="API key or OIDC access token (JWT)")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
ANONYMOUS = Caller(subject="anonymous", method="anonymous", scopes=frozenset({"*"}))


def _refuse(status: int, reason: str, message: str, headers: dict[str, str]) -> ServiceError:
    current_audit().refusal = reason
    error_type = {401: "authentication_error", 403: "permission_error"}.get(
        status, "rate_limit_error"
    )
    return ServiceError(status, message, error_type=error_type, headers=headers)


async def authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header_key: Annotated[str | None, Security(_api_key_header)],
) -> Caller:
    """Accept `Authorization: Bearer <key or token>` (what the OpenAI SDK sends) or `X-API-Key`."""
    settings: Settings = request.app.state.settings
    if not settings.auth_enabled:
        return ANONYMOUS
    presented = bearer.credentials if bearer is not None else header_key
    if not presented:
        raise _refuse(
            401,
            "missing_credentials",
            "Missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
            _CHALLENGE,
        )
    verifier: TokenVerifier | None = request.app.state.token_verifier
    if verifier is not None and bearer is not None and verifier.looks_like_jwt(presented):
        try:
            # In a thread: fetching the provider's keys (JWKS URL, cached by PyJWT) blocks.
            caller = await run_in_threadpool(verifier.verify, presented)
        except InvalidToken as exc:
            raise _refuse(
                401, "invalid_token", str(exc), {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from exc
    else:
        keys: ApiKeyStore = request.app.state.api_keys
        found = keys.identify(presented)
        if found is None:
            raise _refuse(401, "invalid_api_key", "Invalid API key.", _CHALLENGE)
        caller = found
    audit = current_audit()
    audit.subject, audit.auth_method, audit.key_id = caller.subject, caller.method, caller.key_id
    audit.tenant, audit.caller = caller.tenant, caller
    return caller


async def authorize(
    request: Request,
    security_scopes: SecurityScopes,
    caller: Annotated[Caller, Depends(authenticate)],
) -> Caller:
    """The caller, if it holds every scope the route requires and is within its quotas."""
    missing = [s for s in security_scopes.scopes if not caller.allows(s)]
    if missing:
        raise _refuse(
            403,
            "insufficient_scope",
            f"This route needs the permission(s) {', '.join(missing)}, which "
            f"{caller.subject!r} does not have.",
            {"WWW-Authenticate": f'Bearer error="insufficient_scope" scope="{" ".join(missing)}"'},
        )
    if getattr(request.state, "quota_admitted", False):
        return caller  # a second authorize on the same request (router and route): count once
    request.state.quota_admitted = True
    exceeded = request.app.state.quotas.admit(caller)
    if exceeded is not None:
        raise _refuse(
            429,
            exceeded.reason,
            f"{exceeded.message} Retry after {exceeded.retry_after_seconds} s.",
            {"Retry-After": str(exceeded.retry_after_seconds)},
        )
    return caller


# For routers that need an authenticated caller within its quotas, no particular permission.
require_api_key = authorize
CallerDep = Annotated[Caller, Security(authorize)]
