variable "name" {
  description = "Prefix of the secret name (<name>/service)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key that encrypts the secret."
  type        = string
}

variable "keys" {
  description = "Environment variables the secret holds (documentation only)."
  type        = list(string)
}
