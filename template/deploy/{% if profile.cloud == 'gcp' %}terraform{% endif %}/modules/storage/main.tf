# A private bucket (uniform access, public access prevention enforced), versioned, encrypted
# with the customer-managed key, its access logs in a second bucket. Used for the DVC remote
# and MLflow artefacts (and, from bootstrap/, for the Terraform state).
resource "google_storage_bucket" "this" {
  name                        = var.name
  location                    = var.location
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = var.kms_key_id
  }

  logging {
    log_bucket        = google_storage_bucket.logs.name
    log_object_prefix = "gcs/${var.name}/"
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_days
    }
    action {
      type = "Delete"
    }
  }

  soft_delete_policy {
    retention_duration_seconds = 604800
  }
}

resource "google_storage_bucket" "logs" {
  # checkov:skip=CKV_GCP_62:This bucket receives the access logs; logging it into itself would loop.
  name                        = "${var.name}-logs"
  location                    = var.location
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = var.kms_key_id
  }

  lifecycle_rule {
    condition {
      age = var.log_retention_days
    }
    action {
      type = "Delete"
    }
  }
}

# Cloud Storage writes usage logs as this Google group.
resource "google_storage_bucket_iam_member" "log_writer" {
  bucket = google_storage_bucket.logs.name
  role   = "roles/storage.objectCreator"
  member = "group:cloud-storage-analytics@google.com"
}
