"""`GET /v1/audit`: read the audit trail (permission `audit:read`), newest records last."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Security
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ...audit.chain import iter_records
from ..auth import authorize
from ..deps import SettingsDep

router = APIRouter(
    prefix="/v1", tags=["audit"], dependencies=[Security(authorize, scopes=["audit:read"])]
)


class AuditPage(BaseModel):
    records: list[dict[str, Any]] = Field(description="Records as stored, oldest first.")
    truncated: bool = Field(description="More records matched than `limit`; the oldest left out.")


def _read(directory: Path, since: datetime | None, until: datetime | None, limit: int) -> AuditPage:
    window: deque[dict[str, Any]] = deque(maxlen=limit)
    matched = 0
    for record in iter_records(directory):
        ts = datetime.fromisoformat(record["ts"])
        if (since and ts < since) or (until and ts >= until):
            continue
        matched += 1
        window.append(record)
    return AuditPage(records=list(window), truncated=matched > limit)


@router.get("/audit", response_model=AuditPage)
async def read_audit(
    settings: SettingsDep,
    since: Annotated[datetime | None, Query(description="ISO time with offset, inclusive")] = None,
    until: Annotated[datetime | None, Query(description="ISO time with offset, exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """The latest `limit` records of the time range; `audit export` serves bulk exports."""
    since, until = _utc(since), _utc(until)
    return await run_in_threadpool(_read, settings.audit_dir, since, until, limit)


def _utc(value: datetime | None) -> datetime | None:
    """A time without an offset is taken as UTC (the records' time zone)."""
    return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value
