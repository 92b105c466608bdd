variable "name" {
  description = "Name suffix of the app and its environment."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group."
  type        = string
}

variable "subnet_id" {
  description = "Subnet delegated to Microsoft.App/environments."
  type        = string
}

variable "log_analytics_workspace_id" {
  description = "Workspace receiving the app's logs."
  type        = string
}

variable "identity_id" {
  description = "User-assigned identity the app runs as (pulls the image, reads secrets)."
  type        = string
}

variable "registry_server" {
  description = "Registry login server."
  type        = string
}

variable "image" {
  description = "Image of the first revision; CI deploys later ones."
  type        = string
}

variable "port" {
  description = "Port the service listens on (its PORT)."
  type        = number
}

variable "cpu" {
  description = "vCPU of one replica."
  type        = number
  default     = 1
}

variable "memory" {
  description = "Memory of one replica (must match the CPU ratio, e.g. 2Gi per vCPU)."
  type        = string
  default     = "2Gi"
}

variable "min_replicas" {
  description = "Replicas kept running (0: scale to zero)."
  type        = number
}

variable "max_replicas" {
  description = "Most replicas."
  type        = number
}

variable "concurrent_requests_per_replica" {
  description = "Concurrent requests one replica takes before another starts."
  type        = number
  default     = 20
}

variable "environment" {
  description = "Plain environment variables."
  type        = map(string)
}

variable "key_vault_secrets" {
  description = "Secrets: app secret name => { id = Key Vault secret ID (versionless), variable = environment variable }."
  type = map(object({
    id       = string
    variable = string
  }))
}
