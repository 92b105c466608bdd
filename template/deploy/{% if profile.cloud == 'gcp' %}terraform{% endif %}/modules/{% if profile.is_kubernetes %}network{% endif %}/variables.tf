variable "name" {
  description = "Name of the network resources."
  type        = string
}

variable "region" {
  description = "Region of the subnet."
  type        = string
}

variable "nodes_cidr" {
  description = "Primary range (nodes)."
  type        = string
  default     = "10.30.0.0/20"
}

variable "pods_cidr" {
  description = "Secondary range for pods."
  type        = string
  default     = "10.32.0.0/14"
}

variable "services_cidr" {
  description = "Secondary range for services."
  type        = string
  default     = "10.36.0.0/20"
}
