output "id" {
  description = "Resource ID of the identity."
  value       = azurerm_user_assigned_identity.this.id
}

output "client_id" {
  description = "Client ID (what CI and the workload sign in as)."
  value       = azurerm_user_assigned_identity.this.client_id
}

output "principal_id" {
  description = "Object ID of the identity's service principal."
  value       = azurerm_user_assigned_identity.this.principal_id
}
