# CI signs in with its OIDC token through Workload Identity Federation (no service account
# key exists): the provider accepts only tokens with the exact subject of this repository's
# deployment jobs, and only those identities may impersonate the CI service account.
resource "google_iam_workload_identity_pool" "ci" {
  workload_identity_pool_id = var.pool_id
  display_name              = "CI ${var.environment}"
  description               = "CI deployments of ${var.name} (${var.environment})"
}

resource "google_iam_workload_identity_pool_provider" "ci" {
  # checkov:skip=CKV_GCP_125:The condition pins the exact subject (repo:<owner>/<repo>:environment:<env>) that the caller builds from its variables, which checkov cannot resolve across modules; var.subject refuses wildcards.
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "ci"
  display_name                       = "CI OIDC"
  attribute_condition                = join(" && ", compact(["assertion.sub == '${var.subject}'", var.claims_condition]))
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = var.repository_claim
  }

  oidc {
    issuer_uri = var.issuer_url
  }
}

resource "google_service_account" "ci" {
  account_id   = "${var.name}-ci"
  display_name = "CI deployments (${var.environment})"
}

resource "google_service_account_iam_member" "ci_federation" {
  service_account_id = google_service_account.ci.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.ci.name}/attribute.repository/${var.repository}"
}
