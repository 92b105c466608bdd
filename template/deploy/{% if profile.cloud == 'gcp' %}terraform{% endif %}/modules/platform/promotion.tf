# Image promotion. Each environment has its own repository and runs only images from it: the
# production deploy copies the digest staging tested from staging's repository into its own
# (crane copy, scripts/deploy/promote_image.sh). Production's CI service account may therefore
# read -- Artifact Registry Reader, on that one repository only -- staging's repository. The
# staging identity gets no right on production: the less trusted environment never writes into
# the more trusted one.
variable "promotion_source_repository_id" {
  description = "Repository this environment's CI copies images from, projects/<project>/locations/<region>/repositories/<name> (production: staging's registry_id output); null: none."
  type        = string
  default     = null

  validation {
    condition     = var.promotion_source_repository_id == null || can(regex("^projects/[^/]+/locations/[^/]+/repositories/[^/]+$", var.promotion_source_repository_id))
    error_message = "Give the ID of one Artifact Registry repository: projects/<project>/locations/<region>/repositories/<name>."
  }
}

resource "google_artifact_registry_repository_iam_member" "ci_reads_promotion_source" {
  for_each = var.promotion_source_repository_id == null ? {} : {
    source = regex("^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/repositories/(?P<repository>[^/]+)$", var.promotion_source_repository_id)
  }
  project    = each.value.project
  location   = each.value.location
  repository = each.value.repository
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${module.ci.service_account_email}"
}
