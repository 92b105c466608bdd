variable "name" {
  description = "Globally unique Key Vault name (3-24 letters, digits and '-')."
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
  description = "Entra ID tenant."
  type        = string
}

variable "deployer_object_id" {
  description = "Object ID of the principal running Terraform (manages the keys)."
  type        = string
}

variable "allowed_ip_ranges" {
  description = "Public IP ranges allowed through the firewall (operators, CI egress)."
  type        = list(string)
}

variable "endpoint_subnet_id" {
  description = "Subnet for the private endpoint (null: none)."
  type        = string
  default     = null
}

variable "private_dns_zone_id" {
  description = "privatelink.vaultcore.azure.net zone for the private endpoint."
  type        = string
  default     = null
}

variable "log_analytics_workspace_id" {
  description = "Workspace receiving the audit logs (null: none)."
  type        = string
  default     = null
}
