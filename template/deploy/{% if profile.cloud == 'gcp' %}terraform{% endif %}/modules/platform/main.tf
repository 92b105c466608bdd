# Everything one environment of the service needs on Google Cloud. The environment roots
# (environments/<env>/) call this module with their own project, settings and state.
data "google_project" "this" {}

data "google_storage_project_service_account" "this" {
  depends_on = [google_project_service.this]
}

# Cloud Logging's service agent (it encrypts the audit log bucket, audit_logs.tf).
data "google_logging_project_cmek_settings" "this" {
  project = data.google_project.this.project_id
}

locals {
  name = "${var.name}-${var.environment}"
  # Service account IDs are at most 30 characters.
  short  = "${var.name}-${var.environment == "production" ? "prd" : "stg"}"
  number = data.google_project.this.number
  # Google service agents that encrypt with the environment's key on our behalf.
  service_agents = concat(
    [
      "serviceAccount:${data.google_storage_project_service_account.this.email_address}",
      "serviceAccount:service-${local.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com",
      "serviceAccount:service-${local.number}@gcp-sa-secretmanager.iam.gserviceaccount.com",
      "serviceAccount:${data.google_logging_project_cmek_settings.this.service_account_id}",
    ],
    local.platform_service_agents,
  )
}

resource "google_project_service" "this" {
  for_each           = toset(concat(["artifactregistry.googleapis.com", "cloudkms.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com", "logging.googleapis.com", "secretmanager.googleapis.com", "sts.googleapis.com"], local.platform_apis))
  service            = each.value
  disable_on_destroy = false
}

module "kms" {
  source            = "../kms"
  name              = local.name
  location          = var.region
  encrypter_members = local.service_agents
}

# DVC remote and MLflow artefact store.
module "artifacts" {
  source                  = "../storage"
  name                    = "${local.name}-artifacts-${local.number}"
  location                = var.region
  kms_key_id              = module.kms.key_id
  noncurrent_version_days = var.artifact_version_retention_days
  log_retention_days      = var.log_retention_days
}

module "registry" {
  source     = "../registry"
  name       = local.name
  location   = var.region
  kms_key_id = module.kms.key_id
}

resource "google_service_account" "runtime" {
  account_id   = "${local.short}-service"
  display_name = "Runtime identity of ${local.name}"
}

module "ci" {
  source           = "../ci_oidc"
  name             = local.short
  environment      = var.environment
  pool_id          = "${local.short}-ci"
  issuer_url       = var.ci_issuer_url
  repository       = var.ci_repository
  subject          = local.ci_subject
  claims_condition = local.ci_claims_condition
  repository_claim = local.ci_repository_claim
}

# ------------------------------------------------------------------ permissions
# The service reads models; CI reads and writes artefacts (DVC, MLflow) and pushes images.
resource "google_storage_bucket_iam_member" "runtime_reads_artifacts" {
  bucket = module.artifacts.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_storage_bucket_iam_member" "ci_writes_artifacts" {
  bucket = module.artifacts.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${module.ci.service_account_email}"
}

resource "google_artifact_registry_repository_iam_member" "ci_pushes_images" {
  repository = module.registry.name
  location   = var.region
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${module.ci.service_account_email}"
}
