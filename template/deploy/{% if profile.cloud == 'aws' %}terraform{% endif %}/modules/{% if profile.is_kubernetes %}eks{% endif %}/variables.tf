variable "name" {
  description = "Cluster name."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the control plane interfaces and the nodes."
  type        = list(string)
}

variable "endpoint_public_access" {
  description = "Expose the API endpoint on the internet (restricted to public_access_cidrs)."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "Networks allowed to reach a public API endpoint."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for Kubernetes secrets, the control-plane and container logs."
  type        = string
}

variable "log_retention_days" {
  description = "Days the control-plane and container logs are kept."
  type        = number
}

variable "node_instance_types" {
  description = "Instance types of the general node group."
  type        = list(string)
}

variable "node_min_size" {
  description = "Minimum number of general nodes."
  type        = number
}

variable "node_max_size" {
  description = "Maximum number of general nodes."
  type        = number
}

variable "node_disk_size_gb" {
  description = "Root volume size of every node."
  type        = number
  default     = 50
}

variable "gpu_enabled" {
  description = "Create the GPU node group."
  type        = bool
  default     = false
}

variable "gpu_instance_types" {
  description = "Instance types of the GPU node group."
  type        = list(string)
  default     = ["g5.xlarge"]
}

variable "gpu_min_size" {
  description = "Minimum number of GPU nodes (0: scale from zero)."
  type        = number
  default     = 0
}

variable "gpu_max_size" {
  description = "Maximum number of GPU nodes."
  type        = number
  default     = 2
}

variable "gpu_node_labels" {
  description = "Labels of the GPU nodes (the Helm chart's nodeSelector)."
  type        = map(string)
  default     = {}
}

variable "gpu_taint" {
  description = "Taint of the GPU nodes (the Helm chart tolerates its key)."
  type = object({
    key    = string
    value  = string
    effect = string
  })
  default = {
    key    = "nvidia.com/gpu"
    value  = "true"
    effect = "NO_SCHEDULE"
  }
}

variable "service_namespace" {
  description = "Namespace of the service's Helm release."
  type        = string
}

variable "service_account" {
  description = "Kubernetes service account of the service."
  type        = string
}

variable "service_role_arn" {
  description = "IAM role the service's pods receive through EKS Pod Identity."
  type        = string
}

variable "ci_role_arn" {
  description = "IAM role CI uses to deploy into the service's namespace."
  type        = string
}
