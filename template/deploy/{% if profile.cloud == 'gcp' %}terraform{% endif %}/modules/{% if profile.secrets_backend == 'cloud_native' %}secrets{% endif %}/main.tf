# One Secret Manager secret per environment variable of the service (API_KEY_SHA256 ->
# api-key-sha256), replicated only in the environment's region and encrypted with the
# customer-managed key. Terraform creates the secrets, never their values
# (`gcloud secrets versions add`), and lets only the runtime identity read them.
resource "google_secret_manager_secret" "this" {
  for_each  = var.secrets
  secret_id = "${var.name}-${each.key}"
  labels    = { variable = lower(each.value) }

  replication {
    user_managed {
      replicas {
        location = var.location
        customer_managed_encryption {
          kms_key_name = var.kms_key_id
        }
      }
    }
  }
}

resource "google_secret_manager_secret_iam_member" "runtime" {
  for_each  = google_secret_manager_secret.this
  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.accessor
}
