# Image promotion. Each environment has its own registry and runs only images from it: the
# production deploy imports the digest staging tested from staging's registry into its own
# (`az acr import`, scripts/deploy/promote_image.sh). Production's CI identity may therefore
# read -- Reader, read only, on that one registry -- staging's registry, and trigger imports into
# its own. The staging identity gets no right on production: the less trusted environment never
# writes into the more trusted one.
variable "promotion_source_registry_id" {
  description = "Resource ID of the registry this environment's CI imports images from (production: staging's registry_id output); null: none."
  type        = string
  default     = null

  validation {
    condition     = var.promotion_source_registry_id == null || can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.ContainerRegistry/registries/[A-Za-z0-9]+$", var.promotion_source_registry_id))
    error_message = "Give the resource ID of one container registry (/subscriptions/.../providers/Microsoft.ContainerRegistry/registries/<name>)."
  }
}

locals {
  promotion_roles = var.promotion_source_registry_id == null ? {} : {
    read_promotion_source = { scope = var.promotion_source_registry_id, role = "Reader" }
    import_images         = { scope = module.registry.id, role = "Container Registry Data Importer and Data Reader" }
  }
}
