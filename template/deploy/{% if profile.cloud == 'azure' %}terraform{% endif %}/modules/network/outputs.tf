output "vnet_id" {
  description = "ID of the virtual network."
  value       = azurerm_virtual_network.this.id
}

output "workload_subnet_id" {
  description = "Subnet of the AKS nodes or the Container Apps environment."
  value       = azurerm_subnet.workloads.id
}

output "endpoint_subnet_id" {
  description = "Subnet of the private endpoints."
  value       = azurerm_subnet.endpoints.id
}

output "private_dns_zone_ids" {
  description = "Private DNS zone IDs by zone name."
  value       = { for name, zone in azurerm_private_dns_zone.this : name => zone.id }
}
