variable "name" {
  description = "Globally unique registry name (5-50 letters and digits)."
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

variable "key_vault_id" {
  description = "Key Vault holding the customer-managed key."
  type        = string
}

variable "cmk_id" {
  description = "Versionless ID of the customer-managed key."
  type        = string
}

variable "allowed_ip_ranges" {
  description = "Public IP ranges allowed through the firewall (CI egress, operators)."
  type        = list(string)
}

variable "endpoint_subnet_id" {
  description = "Subnet for the private endpoint."
  type        = string
}

variable "private_dns_zone_id" {
  description = "privatelink.azurecr.io zone for the private endpoint."
  type        = string
}
