"""Render projects with the real engine and check them, then run each project's OWN checks.

* ``test_renders_clean`` (fast; every value of every question, each near the defaults): no
  leftover Jinja, the answers file, the dependencies the profile promises, ``ruff check`` and
  ``ruff format --check`` (rendered code is already formatted).
* ``test_passes_its_own_checks`` (slow; the defaults and the pairwise covering array): the same,
  then ``make lint``, ``make typecheck``, ``make test`` and ``make infra-check`` inside the
  project, in the shared environment of generated projects (see conftest.py): every row's whole
  ``make ci`` passes.

  Many rows differ only in answers that change deployment files (hosting, cloud, CI, ...), not
  what ``make lint typecheck test`` reads. Those three targets run once per distinct code tree
  (``rendering.code_digest``: every file they can read, and the commands ``make -n`` prints);
  a row whose tree is byte-identical to one that already passed in this session reuses that
  result and says so. ``make infra-check`` runs the same way one target at a time
  (``rendering.infra_checks_once``): a target whose input files (``INFRA_CHECK_INPUTS``) and
  commands are byte-identical to a passed one's is not run again. Rendering, ``check_rendered``
  and ruff run for every row.
* ``test_infra_inputs_cover_what_the_targets_name`` and ``test_infra_targets_pass_on_their_inputs
  _alone`` (slow) keep that reuse honest: every path an infra target's commands name is among its
  declared inputs, and each target passes in a copy of the project that holds nothing else.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from matrix import (
    as_data,
    config_id,
    default_configuration,
    one_value_configurations,
    pairwise_configurations,
)
from rendering import (
    ANSWERS_FILE,
    INFRA_CHECK_INPUTS,
    TOOL_CONFIGS,
    Outcome,
    actionlint_override,
    clean_environment,
    code_checks_once,
    code_digest,
    derive_profile,
    infra_checks_once,
    infra_targets,
    leftover_jinja,
    read_answers,
    render,
    run,
)


def _params(configs: tuple[dict[str, Any], ...], prefix: str) -> list[Any]:
    return [pytest.param(c, id=f"{prefix}{i:02d}-{config_id(c)}") for i, c in enumerate(configs)]


FAST = _params(one_value_configurations(), "one")
PAIRWISE = tuple(c for c in pairwise_configurations() if c != default_configuration())
SLOW = [pytest.param(default_configuration(), id="defaults"), *_params(PAIRWISE, "pw")]


def _first_of_each_use_case(configs: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    firsts: dict[str, dict[str, Any]] = {}
    for config in configs:
        firsts.setdefault(derive_profile(config)["use_case"], config)
    return list(firsts.values())


# The generated tests marked `evidently` (a real drift check) cost seconds of Evidently import
# each, and the drift code depends on the use case alone: they run in the first row of each use
# case; the other rows deselect them (PYTEST_ADDOPTS) and run everything else.
EVIDENTLY_ROWS = _first_of_each_use_case((default_configuration(), *PAIRWISE))


def check_rendered(project: Path, config: dict[str, Any]) -> None:
    """What every rendered project must satisfy before any tool runs."""
    leftovers = leftover_jinja(project)
    assert not leftovers, "unrendered Jinja:\n" + "\n".join(leftovers[:30])

    assert (project / ANSWERS_FILE).is_file()
    recorded = read_answers(project)
    for name, value in as_data(config).items():
        got = recorded[name]
        assert (sorted(got) if isinstance(value, list) else got) == (
            sorted(value) if isinstance(value, list) else value
        ), name

    profile = derive_profile(recorded)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["dependencies"] == profile["dependencies"]
    groups = pyproject["dependency-groups"]
    assert groups["dev"] == profile["dev_dependencies"]
    # LoRA fine-tuning's torch stack: an optional group, present exactly when the profile has it
    assert groups.get("finetune", []) == profile["finetune_dependencies"]
    assert set(groups) <= {"dev", "finetune"}
    assert (project / "src" / recorded["package_name"] / "__init__.py").is_file()


def ruff_checks(project: Path, ruff: Path) -> list[Outcome]:
    env = clean_environment()
    return [
        run([str(ruff), "check", "--no-cache", "."], project, env),
        run([str(ruff), "format", "--check", "--no-cache", "."], project, env),
    ]


def failures(outcomes: list[Outcome]) -> str:
    """One headline per failed step, then each step's output."""
    failed = [o for o in outcomes if not o.ok]
    return (
        "\n".join(o.headline() for o in failed) + "\n\n" + "\n\n".join(o.summary() for o in failed)
    )


@pytest.mark.parametrize("config", FAST)
def test_renders_clean(tmp_path: Path, config: dict[str, Any], template_ruff: Path) -> None:
    project = render(tmp_path / "project", config)

    check_rendered(project, config)
    outcomes = ruff_checks(project, template_ruff)
    assert all(o.ok for o in outcomes), failures(outcomes)


@pytest.mark.slow
@pytest.mark.parametrize("config", SLOW)
def test_passes_its_own_checks(
    tmp_path: Path,
    config: dict[str, Any],
    generated_env: Path,
    mypy_cache: Path,
    short_tmp: Path,
    passed_code_trees: Path,
) -> None:
    project = render(tmp_path / "project", config)
    check_rendered(project, config)

    env = clean_environment(
        UV_PROJECT_ENVIRONMENT=str(generated_env),
        UV_NO_SYNC="1",
        MYPY_CACHE_DIR=str(mypy_cache),
        TMPDIR=str(short_tmp),  # the project's own pytest/tmp files stay apart from other runs
        **actionlint_override(),
        **({} if config in EVIDENTLY_ROWS else {"PYTEST_ADDOPTS": "-m 'not evidently'"}),
    )
    outcomes = ruff_checks(project, generated_env / "bin" / "ruff")
    # Every target runs even when an earlier one fails, so one run shows every problem.
    checks, reused = code_checks_once(project, env, passed_code_trees, config_id(config))
    infra, infra_reused = infra_checks_once(project, env, passed_code_trees, config_id(config))
    outcomes += checks + infra
    timings = ", ".join(f"{o.label} {o.seconds:.1f}s" for o in outcomes)
    same = f"; make lint typecheck test: same code tree as {reused}, passed" if reused else ""
    same += "".join(f"; make {t}: same inputs as {row}, passed" for t, row in infra_reused.items())
    print(f"\n{config_id(config)}: {timings}{same}")
    assert all(o.ok for o in outcomes), failures(outcomes)


def test_leftover_check_finds_copier_jinja_and_spares_other_templating(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "ci.yml").write_text("token: ${{ secrets.TOKEN }}\n")
    (tmp_path / "ok" / "chart.yaml").write_text("image: {{ .Values.image }}\n{{- if .Values.x }}\n")
    (tmp_path / "ok" / "rules.yml").write_text("summary: '{{ $labels.instance }} is down'\n")
    (tmp_path / "bad.py").write_text(
        "x = 1\nname = '{{ package_name }}'\n{%- if profile.is_rag %}\n"
    )
    (tmp_path / "settings.py.jinja").write_text("")
    (tmp_path / "{{ project_slug }}.md").write_text("")

    found = leftover_jinja(tmp_path)

    assert sorted(found) == [
        "bad.py:2: name = '{{ package_name }}'",
        "bad.py:3: {%- if profile.is_rag %}",
        "settings.py.jinja: unrendered file name",
        "{{ project_slug }}.md: unrendered file name",
    ]


def test_code_digest_covers_what_the_code_checks_read(tmp_path: Path) -> None:
    env = clean_environment()
    github = render(tmp_path / "github", {"ci_provider": "github_actions"})
    gitlab = render(tmp_path / "gitlab", {"ci_provider": "gitlab_ci"})
    digest = code_digest(github, env)

    # The CI provider changes only CI files, alert rules and docs: the same code tree.
    assert code_digest(gitlab, env) == digest
    # Deployment files and deploy scripts are not read by lint, typecheck or test ...
    (github / "deploy" / "extra.yaml").write_text("kind: Extra\n")
    (github / "scripts" / "deploy" / "extra.sh").write_text("echo extra\n")
    assert code_digest(github, env) == digest
    # Docs are prose, except the files the code names (the cards the pipeline fills).
    (github / "docs" / "extra.md").write_text("# Extra\n")
    assert code_digest(github, env) == digest
    card = github / "docs" / "model-card.md"
    card.write_text(card.read_text() + "\nEdited by hand.\n")
    edited = code_digest(github, env)
    assert edited != digest
    card.write_text(card.read_text().removesuffix("\nEdited by hand.\n"))
    assert code_digest(github, env) == digest
    # ... until the project's own tests name them.
    tests = github / "tests" / "test_operations.py"
    tests.write_text(tests.read_text() + '\nDEPLOY = "deploy/"\n')
    named = code_digest(github, env)
    assert named != digest
    (github / "deploy" / "extra.yaml").write_text("kind: Changed\n")
    assert code_digest(github, env) != named
    # Code, tests, data, the make commands: all count.
    package = read_answers(gitlab)["package_name"]
    for path, extra in [
        (gitlab / "src" / package / "kpis.py", "\n# changed\n"),
        (gitlab / "pyproject.toml", "\n# changed\n"),
        (gitlab / "Makefile", "\nRUN := uv run --frozen\n"),
    ]:
        before = code_digest(gitlab, env)
        path.write_text(path.read_text() + extra)
        assert code_digest(gitlab, env) != before, path.name


# Projects that between them run every target `make infra-check` can have: Kubernetes with
# Terraform and Airflow DAGs on GitHub Actions, Kubeflow pipelines on a GPU cluster on GitLab CI,
# serverless, and on premises without Terraform.
INFRA_SHAPES = {
    "gh-aws-k8s-airflow": {"ci_provider": "github_actions", "orchestrator": "airflow"},
    "gl-azure-gpu-kubeflow": {
        "ci_provider": "gitlab_ci",
        "cloud": "azure",
        "hosting": "gpu_on_demand",
        "orchestrator": "kubeflow",
        "model_source": "self_hosted",
    },
    "gh-gcp-serverless": {"cloud": "gcp", "hosting": "serverless", "use_case": "tabular_ml"},
    "gl-onprem-vault": {"ci_provider": "gitlab_ci", "cloud": "on_prem", "secrets_backend": "vault"},
}
_SHELL_WORD = re.compile(r"[^\s;|&<>()=,\"'`]+")


def _named_paths(project: Path, commands: str) -> set[str]:
    """Project paths (files or folders, globs expanded) that the shell commands name."""
    root = project.resolve()
    named: set[str] = set()
    for word in _SHELL_WORD.findall(commands):
        word = word.removeprefix(str(root) + "/") if word.startswith(str(root)) else word
        if word.startswith(("/", "-", "$")) or word in {".", ".."}:
            if word in {".", ".."}:
                named.add(word)
            continue
        for path in project.glob(word) if any(c in word for c in "*?[") else [project / word]:
            if path.exists():
                named.add(path.relative_to(project).as_posix())
    return named


@pytest.fixture(scope="module")
def infra_shapes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("infra-shapes")
    return {name: render(base / name, data) for name, data in INFRA_SHAPES.items()}


def test_infra_shapes_run_every_infra_target(infra_shapes: dict[str, Path]) -> None:
    ran = {t for project in infra_shapes.values() for t in infra_targets(project)}
    assert ran == set(INFRA_CHECK_INPUTS)


@pytest.mark.parametrize("shape", list(INFRA_SHAPES))
def test_infra_inputs_cover_what_the_targets_name(
    infra_shapes: dict[str, Path], shape: str
) -> None:
    """Every project path an infra-check target's commands name is one of its declared inputs.

    `infra_checks_once` reuses a target's result for byte-identical inputs; an input missing from
    ``INFRA_CHECK_INPUTS`` would let a changed file go unchecked. Outputs under var/ are not
    inputs.
    """
    project = infra_shapes[shape]
    env = clean_environment(**actionlint_override())
    for target in infra_targets(project):
        commands = run(["make", "--no-print-directory", "-n", target], project, env)
        assert commands.ok, commands.summary()
        roots = (*INFRA_CHECK_INPUTS[target], *TOOL_CONFIGS)
        undeclared = {
            path
            for path in _named_paths(project, commands.output)
            if not path.startswith("var/")
            and path != "Makefile"  # named in messages; its commands are in the digest
            and not any(path == r or path.startswith(r + "/") for r in roots)
        }
        assert not undeclared, f"make {target} reads {sorted(undeclared)}, not in its inputs"


def test_named_paths_sees_files_folders_and_globs(tmp_path: Path) -> None:
    (tmp_path / "deploy" / "helm").mkdir(parents=True)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "a.sh").write_text("")
    (tmp_path / "Dockerfile").write_text("")
    commands = (
        f"hadolint Dockerfile && lint {tmp_path}/deploy/helm --out=var/x; "
        "shellcheck scripts/*.sh && scan . missing/file"
    )
    assert _named_paths(tmp_path, commands) == {"Dockerfile", "deploy/helm", "scripts/a.sh", "."}


@pytest.mark.slow
def test_infra_targets_pass_on_their_inputs_alone(
    infra_shapes: dict[str, Path], tmp_path: Path
) -> None:
    """Each infra-check target passes in a copy of its project holding only the Makefile and
    the target's declared inputs: what it reads beyond them cannot change its outcome."""
    env = clean_environment(**actionlint_override())
    done: set[str] = set()
    for shape, project in infra_shapes.items():
        for target in infra_targets(project):
            if target in done:
                continue
            done.add(target)
            alone = tmp_path / f"{shape}-{target}"
            alone.mkdir()
            shutil.copy2(project / "Makefile", alone / "Makefile")
            for name in (*INFRA_CHECK_INPUTS[target], *TOOL_CONFIGS):
                source = project / name
                if source.is_dir():
                    shutil.copytree(source, alone / name)
                elif source.is_file():
                    (alone / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, alone / name)
            outcome = run(["make", target], alone, env)
            assert outcome.ok, f"{shape}: make {target} on its inputs alone\n{outcome.summary()}"
    assert done == set(INFRA_CHECK_INPUTS)
