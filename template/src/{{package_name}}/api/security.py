"""Who is calling: API keys (stored as SHA-256 digests) and OIDC/JWT bearer tokens.

Both end in a `Caller`: a subject, how it authenticated, its tenant, its scopes and its quotas.
Keys are compared by digest in constant time; tokens are verified with PyJWT against the
identity provider's keys (a JWKS URL, a JWKS file or one PEM key) for issuer, audience and expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from ..settings import ApiClient, Settings

ALL_SCOPES = "*"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Caller:
    """The authenticated identity of a request (what the audit trail records, never the key)."""

    subject: str
    method: str  # "api_key" | "jwt" | "anonymous"
    scopes: frozenset[str]
    tenant: str | None = None
    key_id: str | None = None  # the first 12 hex digits of the key's digest
    rate_limit_per_minute: int | None = None
    daily_token_budget: int | None = None
    daily_cost_budget_usd: float | None = None

    def allows(self, scope: str) -> bool:
        return ALL_SCOPES in self.scopes or scope in self.scopes


@dataclass(frozen=True)
class ApiKeyStore:
    clients: tuple[ApiClient, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiKeyStore:
        unnamed = {digest(k.get_secret_value()) for k in settings.api_keys}
        unnamed |= {d.lower() for d in settings.api_key_sha256}
        clients = [
            ApiClient(
                name=f"key-{d[:12]}",
                sha256=d,
                rate_limit_per_minute=settings.default_rate_limit_per_minute,
                daily_token_budget=settings.default_daily_token_budget,
                daily_cost_budget_usd=settings.default_daily_cost_budget_usd,
            )
            for d in sorted(unnamed)
        ]
        clients += [c.model_copy(update={"sha256": c.sha256.lower()}) for c in settings.api_clients]
        return cls(tuple(clients))

    @property
    def digests(self) -> frozenset[str]:
        return frozenset(c.sha256 for c in self.clients)

    def identify(self, presented: str) -> Caller | None:
        candidate = digest(presented)
        # Compare against every digest so timing does not reveal which one matched.
        found: ApiClient | None = None
        for client in self.clients:
            if hmac.compare_digest(candidate, client.sha256) and found is None:
                found = client
        if found is None:
            return None
        return Caller(
            subject=found.name,
            method="api_key",
            scopes=frozenset(found.scopes),
            tenant=found.tenant,
            key_id=found.sha256[:12],
            rate_limit_per_minute=found.rate_limit_per_minute,
            daily_token_budget=found.daily_token_budget,
            daily_cost_budget_usd=found.daily_cost_budget_usd,
        )

    def verify(self, presented: str) -> bool:
        return self.identify(presented) is not None


class InvalidToken(Exception):
    """A bearer token that is not acceptable; the message says why (without the token)."""


class TokenVerifier:
    """Verifies OIDC access tokens (JWT) and maps their claims to a `Caller`."""

    def __init__(self, settings: Settings) -> None:
        if not settings.oidc_issuer:
            raise ValueError("OIDC_ISSUER is required to accept bearer tokens")
        sources = [settings.oidc_jwks_url, settings.oidc_jwks_file, settings.oidc_public_key_pem]
        if sum(s is not None for s in sources) != 1:
            raise ValueError(
                "set exactly one of OIDC_JWKS_URL, OIDC_JWKS_FILE or OIDC_PUBLIC_KEY_PEM "
                "to verify bearer tokens"
            )
        self.settings = settings
        self._jwks_client = (
            jwt.PyJWKClient(settings.oidc_jwks_url) if settings.oidc_jwks_url else None
        )
        self._jwks: jwt.PyJWKSet | None = None
        if settings.oidc_jwks_file is not None:
            self._jwks = jwt.PyJWKSet.from_json(settings.oidc_jwks_file.read_text("utf-8"))

    @staticmethod
    def looks_like_jwt(value: str) -> bool:
        return value.count(".") == 2 and value.startswith("ey")

    def _key(self, token: str) -> Any:
        if self._jwks_client is not None:
            return self._jwks_client.get_signing_key_from_jwt(token).key
        if self._jwks is not None:
            kid = jwt.get_unverified_header(token).get("kid")
            keys = [k for k in self._jwks.keys if kid is None or k.key_id == kid]
            if not keys:
                raise InvalidToken("Token signed by an unknown key (kid).")
            return keys[0].key
        return self.settings.oidc_public_key_pem

    def verify(self, token: str) -> Caller:
        s = self.settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=self._key(token),
                algorithms=s.oidc_algorithms,
                audience=s.oidc_audience,
                issuer=s.oidc_issuer,
                options={"require": ["exp", "iss", "sub"] + (["aud"] if s.oidc_audience else [])},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("Token expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("Token is not meant for this service (audience).") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken("Token issued by an untrusted issuer.") from exc
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            raise InvalidToken(f"Invalid token: {exc}") from exc
        tenant = claims.get(s.oidc_tenant_claim)
        return Caller(
            subject=str(claims["sub"]),
            method="jwt",
            scopes=frozenset(self.scopes_of(claims)),
            tenant=str(tenant) if tenant is not None else None,
            rate_limit_per_minute=s.default_rate_limit_per_minute,
            daily_token_budget=s.default_daily_token_budget,
            daily_cost_budget_usd=s.default_daily_cost_budget_usd,
        )

    def scopes_of(self, claims: Mapping[str, Any]) -> set[str]:
        """Scopes granted directly (`scope`/`scp`) plus those of the token's roles."""
        scopes = set(_strings(claims.get(self.settings.oidc_scope_claim)))
        for role in _strings(claims.get(self.settings.oidc_roles_claim)):
            scopes.update(self.settings.oidc_role_scopes.get(role, []))
        return scopes


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def jwks_json(public_keys: Mapping[str, Any]) -> str:
    """A JWKS document for public keys by key id (used by tests and for offline setups)."""
    keys = []
    for kid, key in public_keys.items():
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
        keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
    return json.dumps({"keys": keys})
