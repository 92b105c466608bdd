"""Check rendered Terraform against the providers' own schemas, without Terraform.

``terraform validate`` needs the provider plugins, which ``terraform init`` downloads from the
Terraform registry; neither the binary nor the registry is reachable here. The schemas are on
PyPI all the same: the prebuilt CDK Terrain provider packages (``cdktn-provider-<name>``, the
community continuation of HashiCorp's CDKTF prebuilt providers, which stopped at the end of 2025)
are generated from ``terraform providers schema -json`` of one provider release each, and ship
it as a jsii assembly: a class per resource and data source (its Terraform type in the docs
link), a ``*Config`` struct per class whose properties are the settable arguments (``optional``
or required), and a struct per nested block. Computed-only attributes are getters of the class,
never Config properties.

Schema source (``SCHEMA_PACKAGES``): one package per provider, the last release generated from
the provider major that ``template/deploy/**/versions.tf`` pins (``~> X.0``), by sha256.

Cache: ``ensure_schema`` downloads the wheel once with pip (through ``uvx``), reads the assembly
inside it and writes a compact JSON to ``<repo>/.cache/terraform-schemas/`` under a file lock
(pytest-xdist workers wait for the one that builds it); later runs read only the JSON.

Checks (``validate``, needs python-hcl2; also a command line, see ``main``), over every
``resource``, ``data`` and ``provider`` block of every ``.tf`` file below the given roots:

* the type exists in the provider (the provider is the type's prefix, or the ``provider``
  meta-argument, resolved through ``required_providers`` to a source address);
* every argument exists and is settable (not a computed-only attribute);
* every required argument and every required nested block is present;
* nested blocks (also ``dynamic "name" { content { ... } }``) exist and are checked recursively;
  a block that the schema allows once appears at most once; an argument is not written as a block;
* Terraform's meta-arguments are accepted where Terraform accepts them.

Not checked: types and values of arguments (expressions are not evaluated), conflicts between
arguments (``ConflictsWith``/``ExactlyOneOf`` are not in the schema), and whether a nested schema
is written as a block or as an ``=`` attribute (the packages do not record which it is).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_FORMAT = 1  # bump when the JSON below changes shape: cached files are rebuilt


@dataclass(frozen=True)
class SchemaPackage:
    """A PyPI wheel that carries one provider release's schema."""

    source: str  # the provider's source address in required_providers
    package: str
    version: str
    sha256: str  # of the wheel
    provider_version: str  # the provider release it was generated from (its README says so)

    @property
    def cache_name(self) -> str:
        return f"{self.package}-{self.version}.v{SCHEMA_FORMAT}.json"


# The last cdktn-provider release of each pinned major (the next one moves to the next major:
# azurerm 18.0.0 is 5.0.1, google 21.0.0 is 8.6.0). HashiCorp's cdktf-cdktf-provider-* stopped
# at 2025-12 (google 16.12.1 = 6.50.0, so no google 7.x there).
SCHEMA_PACKAGES: dict[str, SchemaPackage] = {
    package.source: package
    for package in (
        SchemaPackage(
            "hashicorp/aws",
            "cdktn-provider-aws",
            "25.8.1",
            "2ffa579cb88b063cb3a9937e43c519391e876845768f51638a848bdf2ce9f354",
            "6.69.1",
        ),
        SchemaPackage(
            "hashicorp/azurerm",
            "cdktn-provider-azurerm",
            "17.0.0",
            "c3ae5e82028d9ba9157a9ec7ff8b91407d044cf81147ab7cd397dffa6c32fb0e",
            "4.81.0",
        ),
        SchemaPackage(
            "hashicorp/google",
            "cdktn-provider-google",
            "20.3.1",
            "562d1a5f4d9850be9f43f53b9c1cbb1899f0ce7c8daaf1e7b51181287e82a380",
            "7.46.1",
        ),
        SchemaPackage(
            "hashicorp/vault",
            "cdktn-provider-vault",
            "18.3.0",
            "b0041ae499add46e3da9446b3c2d091d2518edc0fd086372fe962b5d1a756d08",
            "5.13.0",
        ),
    )
}

RESOURCE_META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner"}
RESOURCE_META |= {"connection"}
DATA_META = {"count", "for_each", "depends_on", "provider", "lifecycle"}
PROVIDER_META = {"alias", "version"}
DOCS_LINK = re.compile(
    r"\{@link https://registry\.terraform\.io/providers/(?P<source>[\w-]+/[\w-]+)/"
    r"(?P<version>[^/]+)/docs(?:/(?P<kind>resources|data-sources)/\S+)? (?P<name>[\w-]+)\}"
)
ARGUMENT_LINK = re.compile(r"#(?P<name>[A-Za-z0-9_]+) [\w.]+#")


# --------------------------------------------------------------------------- schema
def camel_to_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _struct_of(kind: dict[str, Any], local: str) -> tuple[str, bool] | None:
    """(struct fqn, at most one) when a jsii type is this assembly's struct or a list of it."""
    if "fqn" in kind and kind["fqn"].startswith(local):
        return kind["fqn"], True
    if "union" in kind:
        for member in kind["union"]["types"]:
            collection = member.get("collection", {})
            element = collection.get("elementtype", {})
            if collection.get("kind") == "array" and element.get("fqn", "").startswith(local):
                return element["fqn"], False
    return None


def _argument_name(prop: dict[str, Any]) -> str:
    docs = prop.get("docs", {})
    for text in (docs.get("remarks", ""), docs.get("summary", "")):
        found = ARGUMENT_LINK.search(text)
        if found:
            return found.group("name")
    return camel_to_snake(prop["name"])


def build_schema(assembly: dict[str, Any], package: SchemaPackage) -> dict[str, Any]:
    """The compact schema of one provider from its jsii assembly.

    ``{"source", "provider_version", "package", "provider": id, "resource": {type: id},
    "data": {type: id}, "blocks": {id: {"arguments": {name: required},
    "blocks": {name: [id, required, at_most_one]}, "computed": [name, ...]}}}``
    """
    types: dict[str, Any] = assembly["types"]
    local = assembly["name"] + "."
    blocks: dict[str, dict[str, Any]] = {}

    def properties(fqn: str) -> Iterator[dict[str, Any]]:
        spec = types[fqn]
        for parent in spec.get("interfaces", []):
            if parent.startswith(local):
                yield from properties(parent)
        yield from spec.get("properties", [])

    def block(fqn: str) -> str:
        key = fqn[len(local) :]
        if key in blocks:
            return key
        body: dict[str, Any] = {"arguments": {}, "blocks": {}, "computed": []}
        blocks[key] = body  # before the recursion: a struct may (rarely) contain itself
        for prop in properties(fqn):
            name, required = _argument_name(prop), not prop.get("optional", False)
            nested = _struct_of(prop["type"], local)
            if nested is None:
                body["arguments"][name] = required
            else:
                body["blocks"][name] = [block(nested[0]), required, nested[1]]
        return key

    found: dict[str, Any] = {"provider": None, "resource": {}, "data": {}}
    releases: set[str] = set()  # "<source> <version>" of every docs link: one expected
    for spec in types.values():
        kind = {
            "cdktn.TerraformResource": "resource",
            "cdktn.TerraformDataSource": "data",
            "cdktn.TerraformProvider": "provider",
        }.get(spec.get("base", ""))
        if kind is None:
            continue
        link = DOCS_LINK.search(spec["docs"]["summary"])
        if link is None:
            raise ValueError(f"{spec['fqn']}: no Terraform registry link in its docs")
        releases.add(f"{link.group('source')} {link.group('version')}")
        config = spec["initializer"]["parameters"][-1]["type"]["fqn"]
        key = block(config)
        if kind == "provider":
            found["provider"] = key
            continue
        settable = set(blocks[key]["arguments"]) | set(blocks[key]["blocks"])
        blocks[key]["computed"] = sorted(
            {
                camel_to_snake(prop["name"])
                for prop in spec.get("properties", [])
                if not prop.get("static") and not prop["name"].endswith("Input")
            }
            - settable
        )
        found[kind][link.group("name")] = key
    if releases != {f"{package.source} {package.provider_version}"}:
        raise ValueError(
            f"{package.package} {package.version} was generated from {sorted(releases)},"
            f" expected {package.source} {package.provider_version}"
        )
    return {
        "format": SCHEMA_FORMAT,
        "source": package.source,
        "provider_version": package.provider_version,
        "package": f"{package.package}=={package.version}",
        **found,
        "blocks": blocks,
    }


def read_assembly(wheel: Path) -> dict[str, Any]:
    """The ``.jsii`` assembly inside the ``*.jsii.tgz`` inside the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        inner = next(n for n in archive.namelist() if n.endswith(".jsii.tgz"))
        data = archive.read(inner)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("package/.jsii")
        if member is None:
            raise ValueError(f"{wheel.name}: no package/.jsii in {inner}")
        assembly: dict[str, Any] = json.load(member)
    return assembly


def download(package: SchemaPackage, into: Path) -> Path:
    """Fetch the wheel with pip (run by uvx) and check its sha256."""
    uvx = shutil.which("uvx")
    if uvx is None:
        raise RuntimeError("`uvx` is not on PATH: it runs pip to fetch the provider schemas")
    command = [uvx, "pip", "download", "--quiet", "--no-deps", "--no-cache-dir"]
    command += ["--only-binary", ":all:"]
    command += ["--dest", str(into), f"{package.package}=={package.version}"]
    outcome = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    wheels = sorted(into.glob("*.whl"))
    if outcome.returncode != 0 or len(wheels) != 1:
        raise RuntimeError(f"could not download {package.package}:\n{outcome.stderr[-2000:]}")
    digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    if digest != package.sha256:
        raise RuntimeError(f"{wheels[0].name}: sha256 {digest}, expected {package.sha256}")
    return wheels[0]


def ensure_schema(package: SchemaPackage, cache: Path) -> Path:
    """The compact schema JSON of ``package`` in ``cache``, built once (under a file lock)."""
    from filelock import FileLock  # the template's dev environment has it

    cache.mkdir(parents=True, exist_ok=True)
    target = cache / package.cache_name
    with FileLock(str(target) + ".lock", timeout=1800):
        if target.exists():
            return target
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            wheel = download(package, Path(scratch))
            schema = build_schema(read_assembly(wheel), package)
            partial = Path(scratch) / target.name
            partial.write_text(json.dumps(schema, separators=(",", ":")), encoding="utf-8")
            os.replace(partial, target)
    return target


def ensure_schemas(cache: Path) -> dict[str, Path]:
    return {source: ensure_schema(package, cache) for source, package in SCHEMA_PACKAGES.items()}


# --------------------------------------------------------------------------- validation
@dataclass(frozen=True)
class Violation:
    file: str
    address: str  # aws_s3_bucket.artifacts, data.aws_iam_policy_document.ci, provider.aws
    path: str  # the argument or block inside it, dotted ("" for the block itself)
    message: str

    def __str__(self) -> str:
        where = f"{self.address}.{self.path}" if self.path else self.address
        return f"{self.file}: {where}: {self.message}"


class ProviderSchema:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.label = f"{data['source']} {data['provider_version']}"

    def block(self, key: str) -> dict[str, Any]:
        found: dict[str, Any] = self.data["blocks"][key]
        return found


def load_schemas(paths: Mapping[str, Path]) -> dict[str, ProviderSchema]:
    return {
        source: ProviderSchema(json.loads(path.read_text(encoding="utf-8")))
        for source, path in paths.items()
    }


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _labelled(parsed: dict[str, Any], kind: str) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """(labels, body) of each ``kind "a" "b" { ... }`` block as python-hcl2 8 parses it."""
    for entry in parsed.get(kind, []):
        stack: list[tuple[list[str], Any]] = [([], entry)]
        while stack:
            labels, node = stack.pop()
            if isinstance(node, dict) and node.get("__is_block__"):
                yield labels, node
            elif isinstance(node, dict):
                for key, value in node.items():
                    if not key.startswith("__"):
                        stack.append(([*labels, _unquote(key)], value))


def _block_bodies(value: Any) -> list[dict[str, Any]] | None:
    """The bodies when ``value`` is written as blocks (``name { ... }``), else None."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, dict) and item.get("__is_block__") for item in value)
    ):
        return value
    return None


def _literal_objects(value: Any) -> list[dict[str, Any]]:
    """Object literals of an ``=`` attribute (``{...}`` or ``[{...}, ...]``), to check keys."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


class Checker:
    def __init__(self, schema: ProviderSchema, file: str, address: str) -> None:
        self.schema, self.file, self.address = schema, file, address
        self.violations: list[Violation] = []

    def report(self, path: list[str], message: str) -> None:
        self.violations.append(Violation(self.file, self.address, ".".join(path), message))

    def check(
        self, key: str, body: dict[str, Any], path: list[str], allowed: set[str], what: str
    ) -> None:
        """Check one block body against schema block ``key``."""
        spec = self.schema.block(key)
        arguments: dict[str, bool] = spec["arguments"]
        nested: dict[str, list[Any]] = spec["blocks"]
        computed = set(spec.get("computed", []))
        dynamic: dict[str, list[dict[str, Any]]] = {}
        for labels, dyn in _labelled({"dynamic": body.get("dynamic", [])}, "dynamic"):
            name = labels[0] if labels else ""
            contents = _block_bodies(dyn.get("content")) or []
            if not contents:
                self.report([*path, f'dynamic "{name}"'], "has no content block")
            dynamic.setdefault(name, []).extend(contents)
        for name, value in body.items():
            if name.startswith("__") or name == "dynamic" or name in allowed:
                continue
            here = [*path, name]
            blocks = _block_bodies(value)
            if name in arguments:
                if blocks is not None:
                    self.report(here, f"is an argument of {what}, not a block: write {name} = ...")
            elif name in nested:
                child, _required, at_most_one = nested[name]
                items = blocks if blocks is not None else _literal_objects(value)
                if (
                    at_most_one
                    and blocks is not None
                    and len(blocks) + len(dynamic.get(name, [])) > 1
                ):
                    self.report(here, f"{what} allows at most one {name} block")
                for item in items:
                    self.check(child, item, here, set(), f"{name} block")
            elif name in computed:
                self.report(here, f"is a read-only attribute of {what}; it cannot be set")
            else:
                kind = "block" if blocks is not None else "argument"
                self.report(here, f"{what} has no {kind} {name!r} ({self.schema.label})")
        for name, contents in dynamic.items():
            here = [*path, f'dynamic "{name}"']
            if name not in nested:
                self.report(here, f"{what} has no nested block {name!r} ({self.schema.label})")
                continue
            for content in contents:
                self.check(nested[name][0], content, here, set(), f"{name} block")
        for name, required in arguments.items():
            if required and name not in body:
                self.report([*path, name], f"required argument of {what} is missing")
        for name, (_child, required, _one) in nested.items():
            if required and name not in body and name not in dynamic:
                self.report([*path, name], f"required block of {what} is missing")


def _provider_sources(parsed_files: list[dict[str, Any]]) -> dict[str, str]:
    """Local provider name -> source address, from a directory's required_providers."""
    sources: dict[str, str] = {}
    for parsed in parsed_files:
        for terraform in parsed.get("terraform", []):
            for providers in terraform.get("required_providers", []):
                for name, spec in providers.items():
                    if not name.startswith("__") and isinstance(spec, dict) and "source" in spec:
                        sources[name] = _unquote(str(spec["source"]))
    return sources


@dataclass
class Report:
    checked: list[str] = field(default_factory=list)  # "<file>: <address>" of each block
    violations: list[Violation] = field(default_factory=list)


def validate_directory(
    directory: Path, schemas: Mapping[str, ProviderSchema], shown_from: Path, report: Report
) -> None:
    """Check every block in the ``.tf`` files of one Terraform directory (root or module)."""
    import hcl2  # python-hcl2: run through `uv run --with python-hcl2==...` (see main)

    files: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            files[path.relative_to(shown_from).as_posix()] = hcl2.load(handle)
    sources = _provider_sources(list(files.values()))
    violations = report.violations

    def schema_for(local_name: str, file: str, address: str) -> ProviderSchema | None:
        # Terraform's own default: an undeclared local name means hashicorp/<name>
        source = sources.get(local_name, f"hashicorp/{local_name}")
        schema = schemas.get(source)
        if schema is None:
            message = f"no schema for provider {source}: this check does not cover it"
            violations.append(Violation(file, address, "", message))
        return schema

    for file, parsed in files.items():
        for kind, meta in (("resource", RESOURCE_META), ("data", DATA_META)):
            for labels, body in _labelled(parsed, kind):
                type_, name = labels[0], labels[1]
                address = f"{type_}.{name}" if kind == "resource" else f"data.{type_}.{name}"
                report.checked.append(f"{file}: {address}")
                provider = str(body.get("provider", "")).removeprefix("${").removesuffix("}")
                local_name = provider.split(".")[0] if provider else type_.split("_")[0]
                schema = schema_for(local_name, file, address)
                if schema is None:
                    continue
                key = schema.data[kind].get(type_)
                if key is None:
                    what = "resource type" if kind == "resource" else "data source"
                    message = f"{schema.label} has no {what} {type_!r}"
                    violations.append(Violation(file, address, "", message))
                    continue
                checker = Checker(schema, file, address)
                checker.check(key, body, [], meta, type_)
                violations.extend(checker.violations)
        for labels, body in _labelled(parsed, "provider"):
            address = f"provider.{labels[0]}"
            report.checked.append(f"{file}: {address}")
            schema = schema_for(labels[0], file, address)
            if schema is not None:
                checker = Checker(schema, file, address)
                checker.check(schema.data["provider"], body, [], PROVIDER_META, "the provider")
                violations.extend(checker.violations)


def validate(root: Path, schemas: Mapping[str, ProviderSchema]) -> Report:
    """Check every Terraform directory below ``root`` (file paths relative to it)."""
    report = Report()
    for directory in sorted({path.parent for path in root.rglob("*.tf")}):
        validate_directory(directory, schemas, root, report)
    return report


def main(argv: list[str] | None = None) -> int:
    """``python tests/terraform_schema.py --schemas DIR ROOT...``: one violation a line."""
    parser = argparse.ArgumentParser(description="Check Terraform against provider schemas.")
    parser.add_argument("--schemas", type=Path, required=True, help="the schema cache directory")
    parser.add_argument("roots", type=Path, nargs="+", help="deploy/terraform directories")
    args = parser.parse_args(argv)
    paths = {s: args.schemas / p.cache_name for s, p in SCHEMA_PACKAGES.items()}
    missing = [str(path) for path in paths.values() if not path.exists()]
    if missing:
        parser.error(f"no schema at {', '.join(missing)} (ensure_schemas builds them)")
    schemas = load_schemas(paths)
    failed = False
    for root in args.roots:
        report = validate(root, schemas)
        for violation in report.violations:
            print(f"{root}: {violation}")
        print(
            f"terraform_schema: {root}: {len(report.checked)} blocks checked,"
            f" {len(report.violations)} violations"
        )
        failed = failed or bool(report.violations)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
