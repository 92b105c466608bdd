output "id" {
  description = "ID of the storage account."
  value       = azurerm_storage_account.this.id
}

output "name" {
  description = "Name of the storage account."
  value       = azurerm_storage_account.this.name
}

output "container_name" {
  description = "Name of the container."
  value       = azurerm_storage_container.this.name
}

output "container_id" {
  description = "Resource manager ID of the container (scope for role assignments)."
  value       = azurerm_storage_container.this.id
}
