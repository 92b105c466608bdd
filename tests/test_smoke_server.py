"""Start a rendered service for real and call it as a client would.

For each use case: render the defaults, run ``python -m <package> serve`` as a subprocess in the
shared environment (offline model source, one API key), wait for ``/healthz``, call the use case's
endpoint over HTTP with and without the key, then stop the server with SIGTERM and expect a
graceful shutdown (the lifespan's shutdown completes).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from rendering import clean_environment, read_answers, render

pytestmark = pytest.mark.slow  # needs the shared environment of generated projects

API_KEY = "smoke-test-key-0123456789"

# Row 0 of the Wisconsin diagnostic breast cancer dataset (diagnosis: malignant), in the dataset's
# column order; the features' names come from the service's own OpenAPI schema.
MALIGNANT_SAMPLE = [
    17.99,
    10.38,
    122.8,
    1001.0,
    0.1184,
    0.2776,
    0.3001,
    0.1471,
    0.2419,
    0.07871,
    1.095,
    0.9053,
    8.589,
    153.4,
    0.006399,
    0.04904,
    0.05373,
    0.01587,
    0.03003,
    0.006193,
    25.38,
    17.33,
    184.6,
    2019.0,
    0.1622,
    0.6656,
    0.7119,
    0.2654,
    0.4601,
    0.1189,
]

# Variables that would point the service at a real upstream or a shared store.
_SCRUBBED_PREFIXES = (
    "OPENAI_",
    "ANTHROPIC_",
    "AZURE_",
    "MISTRAL_",
    "LLM_",
    "RAG_",
    "MODEL_",
    "QDRANT_",
    "WEAVIATE_",
    "PINECONE_",
    "PG",
    "API_KEY",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]


def wait_until_healthy(server: Server, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server exited with {server.process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"/healthz did not answer within {timeout}s:\n{server.output()}")


@pytest.fixture(params=["llm_service", "rag_assistant", "tabular_ml"])
def server(request: pytest.FixtureRequest, tmp_path: Path, generated_env: Path) -> Iterator[Server]:
    project = render(tmp_path / "project", {"use_case": request.param})
    package = read_answers(project)["package_name"]
    port = free_port()
    env = {k: v for k, v in clean_environment().items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env |= {
        "PYTHONPATH": str(project / "src"),
        "API_KEYS": API_KEY,
        "RAG_INDEX_DIR": str(tmp_path / "index"),
        "MODEL_DIR": str(tmp_path / "model"),
    }
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                str(generated_env / "bin" / "python"),
                "-m",
                package,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=project,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    running = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_healthy(running)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"server ignored SIGTERM for 20s:\n{running.output()}")
        # uvicorn shuts down gracefully, then re-raises the signal (exit status -SIGTERM).
        assert process.returncode in (0, -signal.SIGTERM), running.output()
        assert "Application shutdown complete" in running.output(), running.output()


def _feature_names(client: httpx.Client) -> list[str]:
    """The prediction request's feature fields, in order, from the service's OpenAPI schema."""
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    body = spec["paths"]["/v1/predict"]["post"]["requestBody"]["content"]["application/json"]
    request_schema = schemas[body["schema"]["$ref"].rsplit("/", 1)[-1]]
    item = schemas[request_schema["properties"]["instances"]["items"]["$ref"].rsplit("/", 1)[-1]]
    return list(item["properties"])


def _request(use_case: str, client: httpx.Client) -> tuple[str, dict[str, Any]]:
    if use_case == "llm_service":
        return "/v1/chat/completions", {
            "model": "default",
            "messages": [{"role": "user", "content": "Say hello to the smoke test."}],
        }
    if use_case == "rag_assistant":
        return "/v1/ask", {"question": "How do I add new documents to the index?"}
    names = _feature_names(client)
    assert len(names) == len(MALIGNANT_SAMPLE), names
    return "/v1/predict", {"instances": [dict(zip(names, MALIGNANT_SAMPLE, strict=True))]}


def test_service_answers_its_clients(server: Server, request: pytest.FixtureRequest) -> None:
    use_case = request.node.callspec.params["server"]
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        path, body = _request(use_case, client)

        anonymous = client.post(path, json=body)
        wrong_key = client.post(path, json=body, headers={"Authorization": "Bearer not-the-key"})
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {API_KEY}"})
        ready = client.get("/readyz")

    assert anonymous.status_code == 401, anonymous.text
    assert wrong_key.status_code == 401, wrong_key.text
    assert "error" in anonymous.json()
    assert response.status_code == 200, f"{response.text}\n{server.output()}"
    assert ready.status_code == 200, ready.text
    answer = response.json()

    if use_case == "llm_service":
        message = answer["choices"][0]["message"]
        assert answer["object"] == "chat.completion"
        assert message["role"] == "assistant"
        assert isinstance(message["content"], str)
        assert message["content"].strip()
        assert answer["usage"]["total_tokens"] > 0
    elif use_case == "rag_assistant":
        assert answer["answer"].strip()
        assert answer["offline"] is True
        assert answer["citations"], answer
        assert any("adding-documents" in c["doc_id"] for c in answer["citations"]), answer
    else:
        [prediction] = answer["predictions"]
        assert prediction["label"] == "malignant"
        assert 0.5 < prediction["probability"] <= 1
        assert answer["model_version"]
