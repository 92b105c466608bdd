# The service's Docker repository: immutable tags, encrypted with the customer-managed key,
# untagged images cleaned up, the newest `keep_images` kept.
resource "google_artifact_registry_repository" "this" {
  repository_id = var.name
  location      = var.location
  format        = "DOCKER"
  kms_key_name  = var.kms_key_id

  docker_config {
    immutable_tags = true
  }

  cleanup_policies {
    id     = "delete-untagged"
    action = "DELETE"
    condition {
      tag_state  = "UNTAGGED"
      older_than = "604800s"
    }
  }

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.keep_images
    }
  }
}
