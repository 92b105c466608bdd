# A storage account with one private container: Entra ID (no shared keys, no anonymous access),
# TLS 1.2, geo-redundant, blob versioning and soft delete, encrypted with the customer-managed
# key, firewalled public endpoint plus a private endpoint, blob access logs to Log Analytics.
# Used for the DVC remote and MLflow artefacts (and, from bootstrap/, for the Terraform state).
resource "azurerm_user_assigned_identity" "encryption" {
  name                = "id-${var.name}-encryption"
  location            = var.location
  resource_group_name = var.resource_group_name
}

resource "azurerm_role_assignment" "encryption" {
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_user_assigned_identity.encryption.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_storage_account" "this" {
  # checkov:skip=CKV_AZURE_59:Public endpoint stays on but the firewall denies all but allowed_ip_ranges; workloads use the private endpoint.
  # checkov:skip=CKV2_AZURE_50:Same firewall as above: default deny, Entra ID only, no shared keys.
  # checkov:skip=CKV_AZURE_33:No queues are used; blob access is logged by the diagnostic setting.
  # checkov:skip=CKV2_AZURE_20:No tables are used.
  # checkov:skip=CKV_AZURE_43:The callers build the name from md5(), which checkov cannot evaluate: "st" + at most 12 letters and digits + 6 hex digits (+ env), lowercase, at most 24.
  name                              = var.name
  location                          = var.location
  resource_group_name               = var.resource_group_name
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = var.replication_type
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  local_user_enabled                = false
  cross_tenant_replication_enabled  = false
  infrastructure_encryption_enabled = true
  public_network_access_enabled     = true

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.encryption.id]
  }

  customer_managed_key {
    key_vault_key_id          = var.cmk_id
    user_assigned_identity_id = azurerm_user_assigned_identity.encryption.id
  }

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices", "Logging", "Metrics"]
    ip_rules       = var.allowed_ip_ranges
  }

  blob_properties {
    versioning_enabled  = true
    change_feed_enabled = true

    delete_retention_policy {
      days = var.soft_delete_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_days
    }
  }

  sas_policy {
    expiration_period = "01.00:00:00"
  }

  depends_on = [azurerm_role_assignment.encryption]
}

resource "azurerm_storage_container" "this" {
  # checkov:skip=CKV2_AZURE_21:Blob reads, writes and deletes go to Log Analytics through the diagnostic setting below (StorageRead/Write/Delete); Storage Insights is the classic mechanism.
  name                  = var.container_name
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

# Old versions of replaced or deleted blobs expire after the retention period.
resource "azurerm_storage_management_policy" "this" {
  storage_account_id = azurerm_storage_account.this.id

  rule {
    name    = "expire-old-versions"
    enabled = true

    filters {
      blob_types = ["blockBlob"]
    }

    actions {
      version {
        delete_after_days_since_creation = var.version_retention_days
      }
    }
  }
}

resource "azurerm_private_endpoint" "blob" {
  count               = var.endpoint_subnet_id == null ? 0 : 1
  name                = "pe-${var.name}-blob"
  location            = var.location
  resource_group_name = var.resource_group_name
  subnet_id           = var.endpoint_subnet_id

  private_service_connection {
    name                           = "blob"
    private_connection_resource_id = azurerm_storage_account.this.id
    is_manual_connection           = false
    subresource_names              = ["blob"]
  }

  private_dns_zone_group {
    name                 = "blob"
    private_dns_zone_ids = [var.private_dns_zone_id]
  }
}

resource "azurerm_monitor_diagnostic_setting" "blob" {
  count                      = var.log_analytics_workspace_id == null ? 0 : 1
  name                       = "blob-access"
  target_resource_id         = "${azurerm_storage_account.this.id}/blobServices/default"
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category = "StorageRead"
  }

  enabled_log {
    category = "StorageWrite"
  }

  enabled_log {
    category = "StorageDelete"
  }
}
