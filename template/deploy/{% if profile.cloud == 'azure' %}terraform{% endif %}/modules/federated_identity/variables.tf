variable "name" {
  description = "Name of the managed identity."
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

variable "issuer" {
  description = "OIDC issuer trusted to sign tokens for this identity (null: no federation)."
  type        = string
  default     = null
}

variable "audience" {
  description = "Audience of the federated tokens."
  type        = string
  default     = "api://AzureADTokenExchange"
}

variable "subjects" {
  description = "Federated credentials: name => exact subject claim."
  type        = map(string)
  default     = {}
}

variable "role_assignments" {
  description = "Roles of the identity: key => { scope, role }."
  type = map(object({
    scope = string
    role  = string
  }))
}
