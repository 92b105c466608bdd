# A Key Vault (premium: HSM-backed keys) holding the environment's customer-managed key and the
# service's secrets. Azure RBAC only, purge protection, firewalled public endpoint (allowed IP
# ranges only) plus a private endpoint for the workloads, audit logs to Log Analytics.
resource "azurerm_key_vault" "this" {
  # checkov:skip=CKV_AZURE_189:The public endpoint stays on for Terraform's key management, but the firewall denies all but allowed_ip_ranges; workloads use the private endpoint.
  name                          = var.name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  tenant_id                     = var.tenant_id
  sku_name                      = "premium"
  enable_rbac_authorization     = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = true

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
    ip_rules       = var.allowed_ip_ranges
  }
}

# Whoever runs Terraform manages keys (data plane) under Azure RBAC.
resource "azurerm_role_assignment" "deployer_keys" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Crypto Officer"
  principal_id         = var.deployer_object_id
}

resource "azurerm_key_vault_key" "cmk" {
  # checkov:skip=CKV_AZURE_40:The rotation policy gives every key version an expiry (expire_after) and rotates before it.
  name         = "cmk"
  key_vault_id = azurerm_key_vault.this.id
  key_type     = "RSA-HSM"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]

  rotation_policy {
    expire_after         = "P2Y"
    notify_before_expiry = "P30D"

    automatic {
      time_after_creation = "P1Y"
    }
  }

  depends_on = [azurerm_role_assignment.deployer_keys]
}

resource "azurerm_private_endpoint" "this" {
  count               = var.endpoint_subnet_id == null ? 0 : 1
  name                = "pe-${var.name}"
  location            = var.location
  resource_group_name = var.resource_group_name
  subnet_id           = var.endpoint_subnet_id

  private_service_connection {
    name                           = "vault"
    private_connection_resource_id = azurerm_key_vault.this.id
    is_manual_connection           = false
    subresource_names              = ["vault"]
  }

  private_dns_zone_group {
    name                 = "vault"
    private_dns_zone_ids = [var.private_dns_zone_id]
  }
}

resource "azurerm_monitor_diagnostic_setting" "this" {
  count                      = var.log_analytics_workspace_id == null ? 0 : 1
  name                       = "audit"
  target_resource_id         = azurerm_key_vault.this.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category_group = "audit"
  }
}
