# ai-prod-template — the one entry point, the same locally and in CI.
UV ?= uv
PYTEST_WORKERS ?= 2

# Some machines (CI images among them) set PYTHONDONTWRITEBYTECODE: then no Python process keeps
# the bytecode it compiles, and every generated project's test run, checkov, DVC and Airflow start
# recompile thousands of library modules from source. Measured on a default project: its pytest
# collection 19.7 s -> 7.1 s, a checkov start 7.3 s -> 4.6 s. The caches written are git-ignored.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install test test-fast lint format render release docs bench bench-governance

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

install: ## Create .venv with the template tooling
	$(UV) sync --frozen

lint: install ## Lint the template repository itself
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy extensions/context.py scripts/release.py

format: install ## Format the template repository itself
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

test: lint ## The whole suite: profile, questions, rendered projects' own checks, smoke tests, docs site
	$(UV) run pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=25

test-fast: install ## Everything but the slow rendered-project checks
	$(UV) run pytest -m "not slow"

render: install ## Render the default project into /tmp/ai-service-default
	$(UV) run copier copy --trust --defaults --overwrite --vcs-ref HEAD . /tmp/ai-service-default

release: install ## Tag a release: make release VERSION=X.Y.Z (CHANGELOG section required)
	$(UV) run python scripts/release.py $(VERSION)

docs: install ## Build the documentation site with --strict into site/ (offline; tests/test_docs_site.py too)
	NO_MKDOCS_2_WARNING=1 $(UV) run mkdocs build --strict

bench: install ## Time the template lifecycle; BENCH_ARGS="--suite-junit FILE" reuses a suite run
	$(UV) run python benchmarks/lifecycle.py $(BENCH_ARGS)

BENCH_REQUESTS ?= 3000
BENCH_CONCURRENCY ?= 16
bench-governance: install ## Governance tax: fake upstream vs generated service vs LiteLLM (needs hey)
	$(UV) run python benchmarks/governance.py --requests $(BENCH_REQUESTS) \
		--concurrency $(BENCH_CONCURRENCY) --write-docs $(if $(BENCH_LABEL),--label "$(BENCH_LABEL)")
