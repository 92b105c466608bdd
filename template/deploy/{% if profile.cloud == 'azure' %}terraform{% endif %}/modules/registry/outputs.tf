output "id" {
  description = "ID of the registry."
  value       = azurerm_container_registry.this.id
}

output "login_server" {
  description = "Where CI pushes images (<name>.azurecr.io)."
  value       = azurerm_container_registry.this.login_server
}
