"""JSON logs with the request id of the request being served."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every record that does not name its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Audit records on standard output (AUDIT_STDOUT) are evidence, not chatter: whatever the
    # level, they are written.
    logging.getLogger("audit.record").setLevel(logging.INFO)
    # One line per upstream HTTP call from httpx adds nothing to the audit trail and the metrics.
    for noisy in ("uvicorn.access", "httpx", "httpx2", "httpcore", "presidio-analyzer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
