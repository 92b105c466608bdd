"""Error responses: one JSON shape (OpenAI-compatible), never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..logging_setup import request_id_var

logger = logging.getLogger(__name__)


class ServiceError(Exception):
    """An error the API answers with `status_code` and a message meant for the caller."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.error_type = error_type
        self.headers = headers or {}


def error_body(message: str, error_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": error_type,
            "request_id": request_id_var.get(),
            **extra,
        }
    }


def _describe(errors: list[Any]) -> str:
    parts = []
    for err in errors[:10]:
        location = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{location or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.message, exc.error_type),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return JSONResponse(
            error_body(
                f"Invalid request: {_describe(list(exc.errors()))}",
                "invalid_request_error",
                details=details,
            ),
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        error_type = "authentication_error" if exc.status_code == 401 else "invalid_request_error"
        return JSONResponse(
            error_body(str(exc.detail), error_type),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body("Internal error; the request id identifies it in the logs.", "server_error"),
            status_code=500,
        )
