"""`python -m {package} keys create`: a new API key and the entry that grants it.

The key is printed once and never stored: the service keeps only its SHA-256 digest, in the
`API_CLIENTS` secret (a JSON list of such entries) in the secret store.
"""

from __future__ import annotations

import argparse
import json
import secrets
from typing import Any

from .security import digest


def create_key(
    name: str,
    scopes: list[str],
    *,
    tenant: str | None = None,
    rate_limit_per_minute: int | None = None,
    daily_token_budget: int | None = None,
    daily_cost_budget_usd: float | None = None,
) -> tuple[str, dict[str, Any]]:
    key = "sk-" + secrets.token_urlsafe(32)
    entry: dict[str, Any] = {"name": name, "sha256": digest(key), "scopes": scopes}
    optional = {
        "tenant": tenant,
        "rate_limit_per_minute": rate_limit_per_minute,
        "daily_token_budget": daily_token_budget,
        "daily_cost_budget_usd": daily_cost_budget_usd,
    }
    entry.update({k: v for k, v in optional.items() if v is not None})
    return key, entry


def _create(args: argparse.Namespace) -> int:
    key, entry = create_key(
        args.name,
        args.scopes,
        tenant=args.tenant,
        rate_limit_per_minute=args.rate_limit_per_minute,
        daily_token_budget=args.daily_token_budget,
        daily_cost_budget_usd=args.daily_cost_budget_usd,
    )
    print(f"key (give it to {args.name}; it is not shown again): {key}")
    print("add this entry to the API_CLIENTS list in the secret store:")
    print(json.dumps(entry))
    return 0


def add_commands(commands: Any) -> None:
    keys = commands.add_parser("keys", help="issue API keys")
    sub = keys.add_subparsers(dest="keys_command", required=True)
    create = sub.add_parser("create", help="a new key and its API_CLIENTS entry")
    create.add_argument("--name", required=True, help="who holds the key (audited)")
    create.add_argument("--scopes", nargs="+", default=["*"], help="permissions; * = all")
    create.add_argument("--tenant")
    create.add_argument("--rate-limit-per-minute", type=int)
    create.add_argument("--daily-token-budget", type=int)
    create.add_argument("--daily-cost-budget-usd", type=float)
    create.set_defaults(handler=_create)
