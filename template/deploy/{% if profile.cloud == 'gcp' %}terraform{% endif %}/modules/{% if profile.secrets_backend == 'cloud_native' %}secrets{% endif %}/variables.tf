variable "name" {
  description = "Prefix of the secret IDs."
  type        = string
}

variable "location" {
  description = "Region the secrets are replicated in."
  type        = string
}

variable "kms_key_id" {
  description = "Customer-managed key (in the same region)."
  type        = string
}

variable "secrets" {
  description = "Secret suffix => environment variable."
  type        = map(string)
}

variable "accessor" {
  description = "The one member allowed to read the secrets (the runtime identity)."
  type        = string
}
