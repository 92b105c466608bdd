output "id" {
  description = "ID of the cluster."
  value       = azurerm_kubernetes_cluster.this.id
}

output "name" {
  description = "Name of the cluster."
  value       = azurerm_kubernetes_cluster.this.name
}

output "oidc_issuer_url" {
  description = "Issuer of the cluster's service account tokens (workload identity)."
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}
