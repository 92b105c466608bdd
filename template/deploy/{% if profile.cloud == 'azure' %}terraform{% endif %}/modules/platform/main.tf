# Everything one environment of the service needs on Azure. The environment roots
# (environments/<env>/) call this module with their own settings and state.
data "azurerm_client_config" "current" {}

locals {
  name      = "${var.name}-${var.environment}"
  short_env = var.environment == "production" ? "prd" : "stg"
  # Globally unique names without '-' (storage, registry, Key Vault), stable per subscription.
  compact = "${substr(replace(var.name, "-", ""), 0, 12)}${local.short_env}${substr(md5("${data.azurerm_client_config.current.subscription_id}/${local.name}"), 0, 6)}"
}

resource "azurerm_resource_group" "this" {
  name     = "rg-${local.name}"
  location = var.location
}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "log-${local.name}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  sku                 = "PerGB2018"
  retention_in_days   = min(730, var.log_retention_days)
}

module "key_vault" {
  source                     = "../key_vault"
  name                       = "kv${local.compact}"
  location                   = azurerm_resource_group.this.location
  resource_group_name        = azurerm_resource_group.this.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  deployer_object_id         = data.azurerm_client_config.current.object_id
  allowed_ip_ranges          = var.allowed_ip_ranges
  endpoint_subnet_id         = module.network.endpoint_subnet_id
  private_dns_zone_id        = module.network.private_dns_zone_ids["privatelink.vaultcore.azure.net"]
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
}

# DVC remote and MLflow artefact store.
module "artifacts" {
  source                     = "../storage"
  name                       = "st${local.compact}"
  container_name             = "artifacts"
  location                   = azurerm_resource_group.this.location
  resource_group_name        = azurerm_resource_group.this.name
  key_vault_id               = module.key_vault.id
  cmk_id                     = module.key_vault.cmk_id
  allowed_ip_ranges          = var.allowed_ip_ranges
  version_retention_days     = var.artifact_version_retention_days
  endpoint_subnet_id         = module.network.endpoint_subnet_id
  private_dns_zone_id        = module.network.private_dns_zone_ids["privatelink.blob.core.windows.net"]
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
}

module "registry" {
  source              = "../registry"
  name                = "cr${local.compact}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  key_vault_id        = module.key_vault.id
  cmk_id              = module.key_vault.cmk_id
  allowed_ip_ranges   = var.allowed_ip_ranges
  endpoint_subnet_id  = module.network.endpoint_subnet_id
  private_dns_zone_id = module.network.private_dns_zone_ids["privatelink.azurecr.io"]
}

# CI signs in as this identity with its OIDC token: no client secret exists.
module "ci_identity" {
  source              = "../federated_identity"
  name                = "id-${local.name}-ci"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  issuer              = var.ci_issuer_url
  subjects            = { "ci-${var.environment}" = local.ci_subject }
  role_assignments = merge(
    {
      push_images     = { scope = module.registry.id, role = "AcrPush" }
      write_artifacts = { scope = module.artifacts.container_id, role = "Storage Blob Data Contributor" }
    },
    local.ci_runtime_roles,
    local.promotion_roles,
  )
}

locals {
  # What the running service may do, whatever runs it: read models and its secrets.
  runtime_roles = merge(
    { read_artifacts = { scope = module.artifacts.container_id, role = "Storage Blob Data Reader" } },
    local.secret_roles,
  )
}
