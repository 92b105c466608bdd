output "name" {
  description = "Name of the container app."
  value       = azurerm_container_app.this.name
}

output "id" {
  description = "ID of the container app."
  value       = azurerm_container_app.this.id
}

output "url" {
  description = "Public URL of the service."
  value       = "https://${azurerm_container_app.this.ingress[0].fqdn}"
}
