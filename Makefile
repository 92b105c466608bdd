# ai-prod-template — the one entry point, the same locally and in CI.
UV ?= uv
PYTEST_WORKERS ?= 2

.PHONY: help install test test-fast lint format render release bench-governance

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

test: lint ## The whole suite: profile, questions, rendered projects' own checks, smoke tests
	$(UV) run pytest -n $(PYTEST_WORKERS) --dist loadgroup

test-fast: install ## Everything but the slow rendered-project checks
	$(UV) run pytest -m "not slow"

render: install ## Render the default project into /tmp/ai-service-default
	$(UV) run copier copy --trust --defaults --overwrite --vcs-ref HEAD . /tmp/ai-service-default

release: install ## Tag a release: make release VERSION=X.Y.Z (CHANGELOG section required)
	$(UV) run python scripts/release.py $(VERSION)

BENCH_REQUESTS ?= 3000
BENCH_CONCURRENCY ?= 16
bench-governance: install ## Governance tax: fake upstream vs generated service vs LiteLLM (needs hey)
	$(UV) run python benchmarks/governance.py --requests $(BENCH_REQUESTS) \
		--concurrency $(BENCH_CONCURRENCY) --write-docs $(if $(BENCH_LABEL),--label "$(BENCH_LABEL)")
