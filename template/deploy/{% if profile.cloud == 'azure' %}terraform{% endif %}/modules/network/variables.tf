variable "name" {
  description = "Name suffix of the network resources."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the environment."
  type        = string
}

variable "address_space" {
  description = "Address range of the virtual network."
  type        = string
  default     = "10.20.0.0/16"
}

variable "workload_subnet_delegation" {
  description = "Service the workload subnet is delegated to (Microsoft.App/environments for Container Apps), or null."
  type        = string
  default     = null
}
