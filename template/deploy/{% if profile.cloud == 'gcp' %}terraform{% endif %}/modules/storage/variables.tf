variable "name" {
  description = "Globally unique bucket name; the access-log bucket is <name>-logs."
  type        = string
}

variable "location" {
  description = "Region of the bucket."
  type        = string
}

variable "kms_key_id" {
  description = "Customer-managed key encrypting the objects."
  type        = string
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted object version is kept."
  type        = number
}

variable "log_retention_days" {
  description = "Days the access logs are kept."
  type        = number
}
