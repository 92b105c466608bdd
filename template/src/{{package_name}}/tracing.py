"""OpenTelemetry tracing: one server span per request, exported where the settings say.

``TRACING_EXPORTER`` (or the standard ``OTEL_TRACES_EXPORTER``) chooses the exporter: ``none``
(default), ``console`` (spans as JSON on stdout) or ``otlp`` (OTLP over HTTP to
``OTEL_EXPORTER_OTLP_ENDPOINT``, default http://localhost:4318). Sampling follows the standard
``OTEL_TRACES_SAMPLER`` / ``OTEL_TRACES_SAMPLER_ARG`` variables and ``OTEL_RESOURCE_ATTRIBUTES``
adds resource attributes. Each server span carries the request id (the ``X-Request-ID`` header
the service answers with) as ``http.response.header.x_request_id``, so a log line, a trace and a
client's report of one request can be matched.
"""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from . import __version__
from .settings import Settings

# Probes and scrapes are not traced (comma-separated regular expressions, searched in the URL).
UNTRACED_URLS = "/healthz$,/readyz$,/metrics$"
REQUEST_ID_HEADER = "x-request-id"


def span_exporter(settings: Settings) -> SpanExporter | None:
    """The exporter the settings ask for; None when tracing is off."""
    if settings.tracing_exporter == "console":
        return ConsoleSpanExporter()
    if settings.tracing_exporter == "otlp":
        return OTLPSpanExporter()  # endpoint, headers, timeout: OTEL_EXPORTER_OTLP_* variables
    return None


def instrument_app(
    app: FastAPI, settings: Settings, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """Trace the requests `app` serves into `exporter` (default: the configured one).

    The provider is kept on ``app.state.tracer_provider`` (None when tracing is off) and is not
    made global, so several apps (tests) never share one; ``shutdown_tracing`` flushes it.
    """
    exporter = exporter or span_exporter(settings)
    app.state.tracer_provider = None
    if exporter is None:
        return None
    resource = Resource.create(
        {
            "service.name": settings.service_name,
            "service.version": __version__,
            "deployment.environment.name": settings.environment,
        }
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls=UNTRACED_URLS,
        http_capture_headers_server_request=[REQUEST_ID_HEADER],
        http_capture_headers_server_response=[REQUEST_ID_HEADER],
        exclude_spans=["receive", "send"],
    )
    app.state.tracer_provider = provider
    return provider


def shutdown_tracing(app: FastAPI) -> None:
    """Export the spans still buffered and stop the exporter."""
    provider: TracerProvider | None = getattr(app.state, "tracer_provider", None)
    if provider is not None:
        provider.shutdown()
