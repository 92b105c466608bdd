variable "name" {
  description = "Prefix of the CI service account (<name>-ci, at most 30 characters)."
  type        = string
}

variable "environment" {
  description = "Environment the identity deploys."
  type        = string
}

variable "pool_id" {
  description = "Workload identity pool ID (4-32 characters)."
  type        = string
}

variable "issuer_url" {
  description = "OIDC issuer of the CI system."
  type        = string
}

variable "repository" {
  description = "Repository whose CI may deploy (the attribute.repository value)."
  type        = string
}

variable "subject" {
  description = "Exact `sub` claim of the deployment jobs."
  type        = string

  validation {
    condition     = !strcontains(var.subject, "*")
    error_message = "Give the exact subject: wildcards would let other branches or repositories in."
  }
}

variable "repository_claim" {
  description = "Token claim holding the repository (assertion.repository, assertion.project_path)."
  type        = string
}

variable "claims_condition" {
  description = "Extra CEL condition on the token's claims, ANDed with the subject (\"\" for none)."
  type        = string
  default     = ""
}
