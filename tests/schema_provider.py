"""A schema-only Terraform provider plugin: enough of a provider for ``terraform validate``.

``terraform validate`` starts each provider plugin, asks for its schema (GetProviderSchema) and
then asks the provider to validate each provider, resource and data block (Validate*Config);
it never configures the provider, plans or applies. This server answers GetProviderSchema with
the schema in a JSON file (the ``terraform providers schema -json`` shape of one provider, see
``tests/terraform_validate.py``) and every validation call with no diagnostics: everything that
``terraform validate`` reports then comes from Terraform itself (names, types, required
arguments, blocks, references, module inputs and outputs, variables, functions).

It speaks Terraform's plugin protocol 6 (tfplugin6 over gRPC) through HashiCorp go-plugin's
handshake: Terraform sets ``TF_PLUGIN_MAGIC_COOKIE`` and, for go-plugin's automatic mutual TLS,
``PLUGIN_CLIENT_CERT`` (its own self-signed client certificate, PEM); the plugin listens on a
Unix socket with a fresh self-signed certificate for ``localhost`` that trusts only that client
certificate, and prints ``1|6|unix|<socket>|grpc|<its certificate, DER, base64 without padding>``
on stdout. The generated protobuf and gRPC modules come from the ``tf`` package on PyPI (a Python
provider framework; only its ``tf.gen`` modules are used).

Run: ``python schema_provider.py SCHEMA.json`` (Terraform runs it; nothing to do by hand).
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

# go-plugin's handshake config in Terraform (internal/plugin/serve.go)
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1  # go-plugin's own
PLUGIN_PROTOCOL_VERSION = 6  # tfplugin6
NESTING = {
    "single": pb.Schema.NestedBlock.SINGLE,
    "group": pb.Schema.NestedBlock.GROUP,
    "list": pb.Schema.NestedBlock.LIST,
    "set": pb.Schema.NestedBlock.SET,
    "map": pb.Schema.NestedBlock.MAP,
}


def schema_block(spec: dict[str, Any]) -> Any:
    """A ``pb.Schema.Block`` from the JSON shape of ``terraform providers schema -json``."""
    attributes = [
        pb.Schema.Attribute(
            name=name,
            type=json.dumps(attribute["type"]).encode(),
            required=attribute.get("required", False),
            optional=attribute.get("optional", False),
            computed=attribute.get("computed", False),
            sensitive=attribute.get("sensitive", False),
        )
        for name, attribute in sorted(spec.get("attributes", {}).items())
    ]
    block_types = [
        pb.Schema.NestedBlock(
            type_name=name,
            block=schema_block(nested["block"]),
            nesting=NESTING[nested["nesting_mode"]],
            min_items=nested.get("min_items", 0),
            max_items=nested.get("max_items", 0),
        )
        for name, nested in sorted(spec.get("block_types", {}).items())
    ]
    return pb.Schema.Block(attributes=attributes, block_types=block_types)


def schema(spec: dict[str, Any]) -> Any:
    return pb.Schema(version=spec.get("version", 0), block=schema_block(spec["block"]))


class SchemaOnlyProvider(rpc.ProviderServicer):  # type: ignore[misc]
    """GetProviderSchema from the JSON; every Validate* call passes; nothing else exists."""

    def __init__(self, spec: dict[str, Any], stopped: threading.Event) -> None:
        self.response = pb.GetProviderSchema.Response(
            provider=schema(spec["provider"]),
            provider_meta=schema({"block": {}}),
            resource_schemas={k: schema(v) for k, v in spec["resource_schemas"].items()},
            data_source_schemas={k: schema(v) for k, v in spec["data_source_schemas"].items()},
        )
        self.stopped = stopped

    def GetMetadata(self, request: Any, context: Any) -> Any:
        return pb.GetMetadata.Response(
            resources=[
                pb.GetMetadata.ResourceMetadata(type_name=t)
                for t in sorted(self.response.resource_schemas)
            ],
            data_sources=[
                pb.GetMetadata.DataSourceMetadata(type_name=t)
                for t in sorted(self.response.data_source_schemas)
            ],
        )

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        return self.response

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateDataResourceConfig.Response()

    def GetFunctions(self, request: Any, context: Any) -> Any:
        return pb.GetFunctions.Response()

    def StopProvider(self, request: Any, context: Any) -> Any:
        self.stopped.set()
        return pb.StopProvider.Response()


class Controller(controller_rpc.GRPCControllerServicer):  # type: ignore[misc]
    """go-plugin's controller: Terraform calls Shutdown when it is done with the plugin."""

    def __init__(self, stopped: threading.Event) -> None:
        self.stopped = stopped

    def Shutdown(self, request: Any, context: Any) -> Any:
        self.stopped.set()
        return controller_pb.Empty()


def certificate() -> tuple[bytes, bytes, bytes]:
    """(key PEM, certificate PEM, certificate DER): self-signed for localhost, as go-plugin's."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [x509.ExtendedKeyUsageOID.SERVER_AUTH, x509.ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        key_pem,
        cert.public_bytes(serialization.Encoding.PEM),
        cert.public_bytes(serialization.Encoding.DER),
    )


def serve(schema_file: Path) -> int:
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print("This is a Terraform provider plugin: Terraform runs it.", file=sys.stderr)
        return 1
    spec = json.loads(schema_file.read_text(encoding="utf-8"))
    stopped = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    rpc.add_ProviderServicer_to_server(SchemaOnlyProvider(spec, stopped), server)
    controller_rpc.add_GRPCControllerServicer_to_server(Controller(stopped), server)
    key_pem, cert_pem, cert_der = certificate()
    # Server-side TLS only: Terraform's client certificate (PLUGIN_CLIENT_CERT) is ECDSA P-521,
    # whose signatures gRPC's BoringSSL does not accept by default (the handshake fails with
    # PEER_DID_NOT_RETURN_A_CERTIFICATE), so the client is not asked for one. The socket is in
    # a private temporary directory and the plugin lives for one terraform command.
    credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
    with tempfile.TemporaryDirectory(prefix="tfschema-") as scratch:
        socket = Path(scratch) / "plugin.sock"
        server.add_secure_port(f"unix://{socket}", credentials)
        server.start()
        encoded = base64.b64encode(cert_der).decode().rstrip("=")  # Go's RawStdEncoding
        line = [CORE_PROTOCOL_VERSION, PLUGIN_PROTOCOL_VERSION, "unix", socket, "grpc", encoded]
        print("|".join(map(str, line)), flush=True)
        stopped.wait()
        server.stop(grace=0.2).wait()
    return 0


if __name__ == "__main__":
    sys.exit(serve(Path(sys.argv[1])))
