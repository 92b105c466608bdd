"""Run the real ``terraform init`` + ``terraform validate`` offline, against provider schemas only.

``terraform validate`` checks a configuration against the schemas of its providers, which it gets
by starting each provider plugin; ``terraform init`` installs the plugins from the Terraform
registry, which is not reachable here. Instead, ``init -plugin-dir`` installs them from a local
filesystem mirror holding, for each provider release that ``versions.tf`` pins, a *schema-only*
plugin (``tests/schema_provider.py``): it answers GetProviderSchema with that release's schema
and every Validate*Config call with no diagnostics. Everything ``terraform validate`` reports
then comes from Terraform itself: unknown or misspelt arguments, blocks, resource types and
attributes (also in references such as ``aws_iam_role.ci.arn`` or ``...identity[0].principal_id``),
argument types, missing required arguments, module inputs and outputs, variables, locals,
functions, ``count``/``for_each`` usage. What the providers' own validation functions check
(allowed values, ConflictsWith, ...) is not covered: the plugin has no provider code.

Schema source: the same ``cdktn-provider-<name>`` wheels as ``terraform_schema.py`` (same pinned
releases, same sha256). Their npm package (``lib/**/index.js``, inside the wheel's jsii tarball) is
generated from ``terraform providers schema -json`` and keeps, for every attribute of every
resource, data source and nested object, a ``// <name> - computed: .., optional: .., required: ..``
line before its getter, the getter (``getStringAttribute('name')``, ``new FooList(this, "name",
wrapsSet)`` ...) and, for the settable ones, ``synthesizeHclAttributes`` entries saying whether it
is written as a block and whether it is a list, a set, a map or a single object. From these the
schema is rebuilt in the ``terraform providers schema -json`` shape and cached as JSON
(``.cache/terraform-schemas/<package>-<version>.tf-v<TF_SCHEMA_FORMAT>.json``).

Approximations (each documented where it is made):

* nested blocks of the *provider* block have no getters, so no required flags: every argument
  inside them is optional (the provider's required top-level arguments and blocks are kept);
* a block written with ``type: "struct"`` (``timeouts``) is served with nesting ``single``;
* storage classes the generator has no precise name for (``any``) are served as ``dynamic``;
* the served schema is restricted to the resource and data source types the configuration
  names (Terraform reports any other type as unknown, as it would for a misspelt one).

Use: ``python tests/terraform_validate.py --schemas DIR ROOT...``, in an environment with the
``tf`` package (the plugin's gRPC modules, see ``schema_provider.py``): each ROOT is a
``deploy/terraform`` directory; every directory below it that is not under ``modules/`` and has
``.tf`` files is a root module, copied to a scratch directory and initialised and validated there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from terraform_schema import SCHEMA_PACKAGES, SchemaPackage, download

TF_SCHEMA_FORMAT = 1  # bump when the JSON below changes shape: cached files are rebuilt
PLUGIN = Path(__file__).resolve().parent / "schema_provider.py"
PLATFORM = "linux_amd64"

ATTRIBUTE = re.compile(
    r"^    // (?P<name>\w+) - computed: (?P<computed>true|false),"
    r" optional: (?P<optional>true|false), required: (?P<required>true|false)\n"
    r"(?P<body>(?:(?!    // \w+ - computed:).*\n)*?)"
    r"    (?:get \w+\(\) \{\n\s*return (?P<getter>.*);)",
    re.M,
)
COMPLEX = re.compile(r"new (?P<cls>[\w.]+)\(this, \"(?P<name>\w+)\"(?:, (?P<set>true|false))?\)")
GETTER = re.compile(r"(?P<tolist>cdktn\.Fn\.tolist\()?this\.get(?P<kind>\w*)Attribute\('")
HCL_ENTRY = re.compile(
    r"^\s+(?P<name>\w+): \{\n\s+value: .*\n\s+isBlock: (?P<block>true|false),\n"
    r"\s+type: \"(?P<type>\w+)\",\n\s+storageClassType: \"(?P<storage>\w+)\",",
    re.M,
)
CHUNK = re.compile(
    r"^(?:class (?P<cls>\w+) extends (?P<base>[\w.]+) \{|function (?P<fn>\w+)ToHclTerraform\(struct"
    r"\) \{)\n(?P<body>(?:.*\n)*?)^\}",
    re.M,
)
TF_TYPE = re.compile(r'^    static tfResourceType = "(?P<type>\w+)";', re.M)
PRIMITIVE = {"string": "string", "number": "number", "boolean": "bool", "any": "dynamic"}
GETTER_TYPES: dict[str, Any] = {
    "String": "string",
    "Number": "number",
    "Boolean": "bool",
    "Any": "dynamic",
    "List": ["list", "string"],
    "NumberList": ["list", "number"],
    "StringMap": ["map", "string"],
    "NumberMap": ["map", "number"],
    "BooleanMap": ["map", "bool"],
    "AnyMap": ["map", "dynamic"],
}
COMPLEX_TYPES: dict[str, Any] = {
    "cdktn.StringMap": ["map", "string"],
    "cdktn.NumberMap": ["map", "number"],
    "cdktn.BooleanMap": ["map", "bool"],
    "cdktn.AnyMap": ["map", "dynamic"],
    "cdktn.StringMapList": ["list", ["map", "string"]],
    "cdktn.NumberMapList": ["list", ["map", "number"]],
    "cdktn.BooleanMapList": ["list", ["map", "bool"]],
    "cdktn.AnyMapList": ["list", ["map", "dynamic"]],
    "cdktn.StringListMap": ["map", ["list", "string"]],
    "cdktn.NumberListMap": ["map", ["list", "number"]],
    "cdktn.StringListList": ["list", ["list", "string"]],
    "cdktn.NumberListList": ["list", ["list", "number"]],
}
STORAGE_TYPES: dict[str, Any] = {
    "stringList": "string",
    "numberList": "number",
    "booleanList": "bool",
    "stringMap": "string",
    "numberMap": "number",
    "booleanMap": "bool",
    "stringListList": ["list", "string"],
    "stringListMap": ["list", "string"],
    "stringMapList": ["map", "string"],
    "stringMapMap": ["map", "string"],
}


@dataclass
class Attribute:
    name: str
    computed: bool
    optional: bool
    required: bool
    getter: str


class Generated:
    """The classes and ``*ToHclTerraform`` functions of a cdktn package's ``lib/**/index.js``."""

    def __init__(self, sources: list[str]) -> None:
        self.classes: dict[str, str] = {}
        self.hcl: dict[str, str] = {}  # struct name -> body of <struct>ToHclTerraform
        self.roots: dict[str, dict[str, str]] = {"resource": {}, "data": {}, "provider": {}}
        kinds = {
            "cdktn.TerraformResource": "resource",
            "cdktn.TerraformDataSource": "data",
            "cdktn.TerraformProvider": "provider",
        }
        for source in sources:
            for chunk in CHUNK.finditer(source):
                body = chunk["body"]
                if chunk["fn"]:
                    name = chunk["fn"][0].upper() + chunk["fn"][1:]
                    self._add(self.hcl, name, body)
                    continue
                self._add(self.classes, chunk["cls"], body)
                kind = kinds.get(chunk["base"])
                if kind:
                    found = TF_TYPE.search(body)
                    if found is None:
                        raise ValueError(f"{chunk['cls']}: no tfResourceType")
                    self.roots[kind][found["type"]] = chunk["cls"]

    @staticmethod
    def _add(into: dict[str, str], name: str, body: str) -> None:
        if name in into and into[name] != body:
            raise ValueError(f"{name} is generated twice, differently")
        into[name] = body

    # ------------------------------------------------------------------ schema of one object
    def attributes(self, cls: str) -> list[Attribute]:
        body = self.classes.get(cls, "")
        return [
            Attribute(
                m["name"],
                m["computed"] == "true",
                m["optional"] == "true",
                m["required"] == "true",
                m["body"] + m["getter"],
            )
            for m in ATTRIBUTE.finditer(body)
        ]

    @staticmethod
    def hcl_entries(body: str) -> dict[str, re.Match[str]]:
        return {m["name"]: m for m in HCL_ENTRY.finditer(body)}

    def struct_of(self, storage: str) -> str:
        for suffix in ("List", "Map", "OutputReference"):
            if storage.endswith(suffix) and storage[: -len(suffix)] in self.hcl:
                return storage[: -len(suffix)]
        return storage

    def object_type(self, struct: str, seen: frozenset[str] = frozenset()) -> Any:
        """The cty object type of a nested object (its OutputReference class's attributes)."""
        if struct in seen:  # a recursive type cannot be written as a cty type
            return "dynamic"
        members = {
            a.name: self.getter_type(a.getter, seen | {struct})
            for a in self.attributes(struct + "OutputReference")
        }
        return ["object", members]

    def getter_type(self, getter: str, seen: frozenset[str] = frozenset()) -> Any:
        complex_ = COMPLEX.search(getter)
        if complex_:
            cls = complex_["cls"]
            if cls in COMPLEX_TYPES:
                return COMPLEX_TYPES[cls]
            if cls.startswith("cdktn."):
                return "dynamic"  # approximation: a cdktn helper class not in COMPLEX_TYPES
            struct = self.struct_of(cls)
            element = self.object_type(struct, seen)
            if cls.endswith("List"):
                return ["set" if complex_["set"] == "true" else "list", element]
            if cls.endswith("Map"):
                return ["map", element]
            return element
        simple = GETTER.search(getter)
        if simple and simple["kind"] in GETTER_TYPES:
            found = GETTER_TYPES[simple["kind"]]
            if simple["tolist"] and isinstance(found, list):
                return ["set", found[1]]
            return found
        return "dynamic"  # approximation: no typed getter (interpolation only)

    def storage_type(self, entry: re.Match[str]) -> Any:
        """The cty type of a settable, non-block argument from its synthesizeHclAttributes entry."""
        kind, storage = entry["type"], entry["storage"]
        if kind == "simple":
            return PRIMITIVE.get(storage, "dynamic")
        if storage in STORAGE_TYPES:
            element = STORAGE_TYPES[storage]
        elif storage == "any":
            return "dynamic"
        else:
            element = self.object_type(self.struct_of(storage))
        if kind in ("list", "set", "map"):
            return [kind, element]
        return element  # "struct": a single object

    def block(
        self, cls: str | None, hcl_body: str, seen: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """One block in ``terraform providers schema -json`` shape."""
        hcl = self.hcl_entries(hcl_body)
        attributes: dict[str, Any] = {}
        block_types: dict[str, Any] = {}
        described = self.attributes(cls) if cls else []
        if not described:  # the provider's nested blocks: no getters, hence no required flags
            described = [Attribute(name, False, True, False, "") for name in hcl]
        for attribute in described:
            entry = hcl.get(attribute.name)
            if entry is not None and entry["block"] == "true":
                struct = self.struct_of(entry["storage"])
                if struct in seen:
                    continue
                nested = self.block(
                    struct + "OutputReference", self.hcl.get(struct, ""), seen | {struct}
                )
                single = entry["type"] == "struct"
                one = single or "OutputReference" in attribute.getter
                spec: dict[str, Any] = {
                    "nesting_mode": "single" if single else entry["type"],
                    "block": nested,
                }
                if not single:
                    spec["min_items"] = 1 if attribute.required else 0
                    if one:
                        spec["max_items"] = 1
                block_types[attribute.name] = spec
                continue
            type_ = (
                self.storage_type(entry)
                if entry is not None and not COMPLEX.search(attribute.getter)
                else self.getter_type(attribute.getter)
            )
            if entry is not None and type_ == "dynamic":
                type_ = self.storage_type(entry)
            flags = {
                flag: True
                for flag, value in (
                    ("required", attribute.required),
                    ("optional", attribute.optional),
                    ("computed", attribute.computed),
                )
                if value
            }
            if not flags:
                flags = {"optional": True}
            attributes[attribute.name] = {"type": type_, **flags}
        return {"attributes": attributes, "block_types": block_types}

    def schema(self, kind: str, type_: str) -> dict[str, Any]:
        cls = self.roots[kind][type_]
        return {"version": 0, "block": self.block(cls, self.classes[cls])}


def read_sources(wheel: Path) -> list[str]:
    """The generated ``lib/**/*.js`` files of the npm package inside the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        inner = next(n for n in archive.namelist() if n.endswith(".jsii.tgz"))
        data = archive.read(inner)
    sources = []
    with tempfile.TemporaryFile() as scratch:
        scratch.write(data)
        scratch.seek(0)
        with tarfile.open(fileobj=scratch, mode="r:gz") as tar:
            for member in tar:
                if member.name.startswith("package/lib/") and member.name.endswith(".js"):
                    handle = tar.extractfile(member)
                    if handle is not None:
                        sources.append(handle.read().decode("utf-8"))
    return sources


def build_provider_schema(wheel: Path, package: SchemaPackage) -> dict[str, Any]:
    """Every resource, data source and the provider of one release, ``schema -json`` shape."""
    generated = Generated(read_sources(wheel))
    (provider,) = generated.roots["provider"].values()
    provider_block = generated.block(provider, generated.classes[provider])
    provider_block["attributes"].pop("alias", None)  # a meta-argument, not the provider's
    return {
        "format": TF_SCHEMA_FORMAT,
        "source": package.source,
        "provider_version": package.provider_version,
        "provider": {"version": 0, "block": provider_block},
        "resource_schemas": {
            t: generated.schema("resource", t) for t in generated.roots["resource"]
        },
        "data_source_schemas": {t: generated.schema("data", t) for t in generated.roots["data"]},
    }


def cache_name(package: SchemaPackage) -> str:
    return f"{package.package}-{package.version}.tf-v{TF_SCHEMA_FORMAT}.json"


def ensure_provider_schema(package: SchemaPackage, cache: Path) -> Path:
    from filelock import FileLock

    cache.mkdir(parents=True, exist_ok=True)
    target = cache / cache_name(package)
    with FileLock(str(target) + ".lock", timeout=1800):
        if target.exists():
            return target
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            wheel = download(package, Path(scratch))
            schema = build_provider_schema(wheel, package)
            partial = Path(scratch) / target.name
            partial.write_text(json.dumps(schema, separators=(",", ":")), encoding="utf-8")
            os.replace(partial, target)
    return target


# --------------------------------------------------------------------------- running terraform
RESOURCE = re.compile(r'^(?P<kind>resource|data) "(?P<type>[\w-]+)"', re.M)
REQUIRED = re.compile(r'^\s*[\w-]+\s*=\s*\{\s*source\s*=\s*"(?P<source>[^"]+)"', re.M)


def used_types(root: Path) -> dict[str, set[str]]:
    """{"resource": types, "data": types, "sources": provider sources} named below root."""
    found: dict[str, set[str]] = {"resource": set(), "data": set(), "sources": set()}
    for path in root.rglob("*.tf"):
        text = path.read_text(encoding="utf-8")
        for match in RESOURCE.finditer(text):
            found[match["kind"]].add(match["type"])
        found["sources"] |= {m["source"] for m in REQUIRED.finditer(text)}
    return found


def plugin_mirror(
    schemas: dict[str, dict[str, Any]], used: dict[str, set[str]], into: Path
) -> Path:
    """A filesystem mirror (unpacked layout) with one schema-only plugin per pinned provider."""
    for source in sorted(used["sources"]):
        if source not in schemas:
            raise SystemExit(f"no schema for provider {source}")
        full = schemas[source]
        name, version = source.split("/")[1], full["provider_version"]
        served = {
            "provider": full["provider"],
            "resource_schemas": {
                t: s for t, s in full["resource_schemas"].items() if t in used["resource"]
            },
            "data_source_schemas": {
                t: s for t, s in full["data_source_schemas"].items() if t in used["data"]
            },
        }
        directory = into / "registry.terraform.io" / source / version / PLATFORM
        directory.mkdir(parents=True)
        (directory / "schema.json").write_text(json.dumps(served), encoding="utf-8")
        plugin = directory / f"terraform-provider-{name}_v{version}"
        plugin.write_text(
            f"#!/bin/sh\nexec '{sys.executable}' '{PLUGIN}' '{directory / 'schema.json'}'\n",
            encoding="utf-8",
        )
        plugin.chmod(0o755)
    return into


def root_modules(root: Path, only: str) -> list[Path]:
    """Directories below ``root`` with ``.tf`` files, not under ``modules/``, matching ``only``."""
    return sorted(
        {
            path.parent
            for path in root.rglob("*.tf")
            if "modules" not in path.relative_to(root).parts
            and path.parent.relative_to(root).match(only)
        }
    )


def terraform_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env["CHECKPOINT_DISABLE"] = "1"  # no version check against HashiCorp's servers
    env["TF_IN_AUTOMATION"] = "1"
    env["TF_CLI_CONFIG_FILE"] = os.devnull  # no provider_installation of the user's
    return env


def validate(
    root: Path, schemas: dict[str, dict[str, Any]], terraform: str, only: str = "*"
) -> bool:
    """init + validate every root module below ``root`` in a scratch copy; print each result."""
    ok = True
    with tempfile.TemporaryDirectory(prefix="tfvalidate-") as scratch:
        work = Path(scratch) / "terraform"
        shutil.copytree(root, work, ignore=shutil.ignore_patterns(".terraform*"))
        mirror = plugin_mirror(schemas, used_types(work), Path(scratch) / "plugins")
        env = terraform_environment()
        for module in root_modules(work, only):
            shown = f"{root}/{module.relative_to(work).as_posix()}"
            started = time.monotonic()
            init = subprocess.run(
                [
                    terraform,
                    "init",
                    "-backend=false",
                    f"-plugin-dir={mirror}",
                    "-input=false",
                    "-no-color",
                ],
                cwd=module,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if init.returncode != 0:
                print(f"{shown}: terraform init failed\n{init.stdout}{init.stderr}")
                ok = False
                continue
            outcome = subprocess.run(
                [terraform, "validate", "-no-color"],
                cwd=module,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.monotonic() - started
            text = (outcome.stdout + outcome.stderr).strip()
            status = "valid" if outcome.returncode == 0 else "INVALID"
            print(f"terraform_validate: {shown}: {status} ({seconds:.1f}s)")
            if outcome.returncode != 0:
                print(text)
                ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="terraform validate against schema-only plugins")
    parser.add_argument("--schemas", type=Path, required=True, help="the schema cache directory")
    parser.add_argument("roots", type=Path, nargs="+", help="deploy/terraform directories")
    parser.add_argument(
        "--only",
        default="*",
        help="root modules to run, a glob (default: all), e.g. 'environments/*'",
    )
    args = parser.parse_args(argv)
    terraform = shutil.which("terraform")
    if terraform is None:
        parser.error("no terraform binary on PATH")
    paths = {s: args.schemas / cache_name(p) for s, p in SCHEMA_PACKAGES.items()}
    missing = [str(path) for path in paths.values() if not path.exists()]
    if missing:
        parser.error(f"no schema at {', '.join(missing)} (ensure_provider_schema builds them)")
    schemas = {s: json.loads(path.read_text(encoding="utf-8")) for s, path in paths.items()}
    results = [validate(root, schemas, terraform, args.only) for root in args.roots]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
