output "resource_group_name" {
  description = "Resource group of the environment."
  value       = azurerm_resource_group.this.name
}

output "artifact_storage_account" {
  description = "Storage account of the DVC remote and the MLflow artefacts."
  value       = module.artifacts.name
}

output "artifact_container" {
  description = "Container of the DVC remote and the MLflow artefacts."
  value       = module.artifacts.container_name
}

output "registry_login_server" {
  description = "Where CI pushes the service image."
  value       = module.registry.login_server
}

output "registry_id" {
  description = "Resource ID of the registry (production imports from staging's to promote images)."
  value       = module.registry.id
}

output "ci_client_id" {
  description = "Client ID CI signs in as (AZURE_CLIENT_ID)."
  value       = module.ci_identity.client_id
}

output "tenant_id" {
  description = "Entra ID tenant (AZURE_TENANT_ID)."
  value       = data.azurerm_client_config.current.tenant_id
}

output "subscription_id" {
  description = "Subscription (AZURE_SUBSCRIPTION_ID)."
  value       = data.azurerm_client_config.current.subscription_id
}

output "runtime_client_id" {
  description = "Client ID the service runs as."
  value       = module.runtime_identity.client_id
}

output "audit_log_location" {
  description = "Log Analytics workspace and table that keep the service's audit records (its audit.record log lines)."
  value       = "${azurerm_log_analytics_workspace.this.name}/${azurerm_log_analytics_workspace_table.service_logs.name}"
}

output "log_analytics_workspace_id" {
  description = "Workspace (customer) ID to query the logs with (az monitor log-analytics query --workspace)."
  value       = azurerm_log_analytics_workspace.this.workspace_id
}
