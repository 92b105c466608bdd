variable "name" {
  description = "Name of the CI role."
  type        = string
}

variable "issuer_url" {
  description = "OIDC issuer of the CI system."
  type        = string
}

variable "audience" {
  description = "Audience CI requests its token for."
  type        = string
  default     = "sts.amazonaws.com"
}

variable "subjects" {
  description = "Exact `sub` claims allowed to assume the role."
  type        = list(string)

  validation {
    condition     = length(var.subjects) > 0 && alltrue([for s in var.subjects : !strcontains(s, "*")])
    error_message = "List the exact subjects: wildcards would let other branches or repositories in."
  }
}

variable "create_provider" {
  description = "Create the account's OIDC provider for this issuer (false when another environment in the same account already did)."
  type        = bool
  default     = true
}

variable "policy_json" {
  description = "What CI may do (an IAM policy document)."
  type        = string
}
