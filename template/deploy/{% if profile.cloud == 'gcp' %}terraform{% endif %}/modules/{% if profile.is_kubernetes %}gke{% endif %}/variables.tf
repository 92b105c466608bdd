variable "name" {
  description = "Cluster name."
  type        = string
}

variable "node_service_account_id" {
  description = "Account ID of the nodes' service account (6-30 characters)."
  type        = string
}

variable "project_id" {
  description = "Project of the cluster."
  type        = string
}

variable "region" {
  description = "Region of the (regional) cluster."
  type        = string
}

variable "network_id" {
  description = "VPC network."
  type        = string
}

variable "subnet_id" {
  description = "Subnet with the pods and services secondary ranges."
  type        = string
}

variable "private_endpoint" {
  description = "Serve the control plane on its private IP only."
  type        = bool
  default     = true
}

variable "control_plane_cidr" {
  description = "/28 range of the control plane."
  type        = string
  default     = "172.16.0.0/28"
}

variable "authorized_networks" {
  description = "Networks allowed to reach the control plane."
  type        = list(string)
  default     = []
}

variable "rbac_security_group" {
  description = "Google Group whose member groups may be bound in Kubernetes RBAC (gke-security-groups@<domain>), or null."
  type        = string
  default     = null
}

variable "kms_key_id" {
  description = "Customer-managed key for Kubernetes secrets and boot disks."
  type        = string
}

variable "node_machine_type" {
  description = "Machine type of the general pool."
  type        = string
}

variable "node_min_count" {
  description = "Minimum number of general nodes (whole region)."
  type        = number
}

variable "node_max_count" {
  description = "Maximum number of general nodes (whole region)."
  type        = number
}

variable "gpu_enabled" {
  description = "Create the GPU pool."
  type        = bool
  default     = false
}

variable "gpu_machine_type" {
  description = "Machine type of the GPU pool."
  type        = string
  default     = "g2-standard-8"
}

variable "gpu_accelerator" {
  description = "GPU type (the Helm chart selects cloud.google.com/gke-accelerator=<this>)."
  type        = string
  default     = "nvidia-l4"
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
