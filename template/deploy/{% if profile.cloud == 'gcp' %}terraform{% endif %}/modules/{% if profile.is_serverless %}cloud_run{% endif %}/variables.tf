variable "name" {
  description = "Service name."
  type        = string
}

variable "region" {
  description = "Region of the service."
  type        = string
}

variable "service_account_email" {
  description = "Runtime identity of the service."
  type        = string
}

variable "kms_key_id" {
  description = "Customer-managed key of the revision."
  type        = string
}

variable "image" {
  description = "Image of the first revision; CI deploys later ones."
  type        = string
}

variable "port" {
  description = "Port the container listens on (Cloud Run sets PORT to it)."
  type        = number
}

variable "timeout_seconds" {
  description = "Longest a request may run (derived from the latency objective)."
  type        = number
}

variable "concurrency" {
  description = "Concurrent requests one instance takes."
  type        = number
  default     = 20
}

variable "cpu" {
  description = "vCPU of one instance."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory of one instance."
  type        = string
  default     = "1Gi"
}

variable "min_instances" {
  description = "Instances kept warm (0: scale to zero)."
  type        = number
}

variable "max_instances" {
  description = "Most instances."
  type        = number
}

variable "environment" {
  description = "Plain environment variables."
  type        = map(string)
}

variable "secret_environment" {
  description = "Environment variable => Secret Manager secret ID."
  type        = map(string)
}
