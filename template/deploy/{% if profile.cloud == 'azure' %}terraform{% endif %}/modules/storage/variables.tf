variable "name" {
  description = "Globally unique storage account name (3-24 lowercase letters and digits)."
  type        = string
}

variable "container_name" {
  description = "Name of the private container."
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

variable "replication_type" {
  description = "Replication (GRS keeps a copy in the paired region of the same geography)."
  type        = string
  default     = "GRS"
}

variable "key_vault_id" {
  description = "Key Vault holding the customer-managed key."
  type        = string
}

variable "cmk_id" {
  description = "Versionless ID of the customer-managed key."
  type        = string
}

variable "allowed_ip_ranges" {
  description = "Public IP ranges allowed through the firewall (operators, CI egress)."
  type        = list(string)
}

variable "soft_delete_days" {
  description = "Days deleted blobs and containers can be restored."
  type        = number
  default     = 30
}

variable "version_retention_days" {
  description = "Days replaced versions are kept."
  type        = number
}

variable "endpoint_subnet_id" {
  description = "Subnet for the private endpoint (null: none)."
  type        = string
  default     = null
}

variable "private_dns_zone_id" {
  description = "privatelink.blob.core.windows.net zone for the private endpoint."
  type        = string
  default     = null
}

variable "log_analytics_workspace_id" {
  description = "Workspace receiving the blob access logs (null: none)."
  type        = string
  default     = null
}
