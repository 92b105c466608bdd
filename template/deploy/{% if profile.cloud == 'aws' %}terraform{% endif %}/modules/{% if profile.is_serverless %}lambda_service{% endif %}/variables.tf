variable "name" {
  description = "Function and API name."
  type        = string
}

variable "image_uri" {
  description = "Image of the first deployment (<repository URL>:<tag>); CI ships later ones."
  type        = string
}

variable "repository_name" {
  description = "ECR repository holding the image."
  type        = string
}

variable "entry_point" {
  description = "Image entry point on Lambda (reads the secret, then runs the image's command)."
  type        = list(string)
}

variable "role_arn" {
  description = "Execution role (the service's runtime identity)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the environment variables and the logs."
  type        = string
}

variable "environment" {
  description = "Environment variables of the service (no secret values: those come from the secret store)."
  type        = map(string)
}

variable "timeout_seconds" {
  description = "Longest a request may run (derived from the latency objective)."
  type        = number

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 900
    error_message = "AWS Lambda timeouts are 1 to 900 seconds."
  }
}

variable "memory_mb" {
  description = "Memory of one instance (CPU scales with it)."
  type        = number
  default     = 1024
}

variable "reserved_concurrency" {
  description = "Most instances that may run at once (caps cost and protects upstreams)."
  type        = number
}

variable "provisioned_concurrency" {
  description = "Instances kept warm on the live alias (0: scale to zero)."
  type        = number
  default     = 0
}

variable "throttling_burst_limit" {
  description = "API Gateway burst limit (requests)."
  type        = number
  default     = 100
}

variable "throttling_rate_limit" {
  description = "API Gateway steady-state limit (requests per second)."
  type        = number
  default     = 50
}

variable "log_retention_days" {
  description = "Days the function and access logs are kept."
  type        = number
}

variable "latency_objective_ms" {
  description = "p95 latency objective; the latency alarm fires above it."
  type        = number
}

variable "error_ratio_threshold" {
  description = "Share of failing requests over 5 minutes that fires the error alarm."
  type        = number
}
