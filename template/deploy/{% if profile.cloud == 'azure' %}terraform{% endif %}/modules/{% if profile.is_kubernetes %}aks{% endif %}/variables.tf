variable "name" {
  description = "Name suffix of the cluster resources."
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

variable "tenant_id" {
  description = "Entra ID tenant of the cluster's users."
  type        = string
}

variable "admin_group_object_ids" {
  description = "Entra ID groups that administer the cluster."
  type        = list(string)
}

variable "kubernetes_version" {
  description = "Kubernetes minor version (patches follow automatically)."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the nodes."
  type        = string
}

variable "zones" {
  description = "Availability zones of the node pools."
  type        = list(string)
  default     = ["1", "2", "3"]
}

variable "key_vault_id" {
  description = "Key Vault holding the customer-managed key."
  type        = string
}

variable "cmk_id" {
  description = "Versionless ID of the customer-managed key (node disks)."
  type        = string
}

variable "registry_id" {
  description = "Container registry the nodes pull from."
  type        = string
}

variable "log_analytics_workspace_id" {
  description = "Workspace for container insights and Defender."
  type        = string
}

variable "system_vm_size" {
  description = "VM size of the system pool."
  type        = string
  default     = "Standard_D4ds_v5"
}

variable "apps_vm_size" {
  description = "VM size of the apps pool."
  type        = string
}

variable "apps_min_count" {
  description = "Minimum number of apps nodes."
  type        = number
}

variable "apps_max_count" {
  description = "Maximum number of apps nodes."
  type        = number
}

variable "gpu_enabled" {
  description = "Create the GPU pool."
  type        = bool
  default     = false
}

variable "gpu_vm_size" {
  description = "VM size of the GPU pool (one NVIDIA GPU each)."
  type        = string
  default     = "Standard_NC4as_T4_v3"
}

variable "gpu_min_count" {
  description = "Minimum number of GPU nodes (0: scale from zero)."
  type        = number
  default     = 0
}

variable "gpu_max_count" {
  description = "Maximum number of GPU nodes."
  type        = number
  default     = 2
}

variable "gpu_taint" {
  description = "Taint of the GPU nodes (key=value:Effect)."
  type        = string
  default     = "nvidia.com/gpu=present:NoSchedule"
}
