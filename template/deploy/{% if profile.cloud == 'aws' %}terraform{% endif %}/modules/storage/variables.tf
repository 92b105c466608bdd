variable "bucket_name" {
  description = "Globally unique bucket name; the access-log bucket is <name>-logs."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key that encrypts the objects."
  type        = string
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 90
}

variable "log_retention_days" {
  description = "Days the server access logs are kept."
  type        = number
}
