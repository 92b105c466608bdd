# The service's container registry: Premium (private endpoint, firewall, zone redundancy,
# customer-managed key), no admin user and no anonymous pulls: Entra ID tokens only.
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

resource "azurerm_container_registry" "this" {
  # checkov:skip=CKV_AZURE_139:CI pushes from its runners through the firewall (allowed_ip_ranges, default deny) with Entra ID tokens; AKS and Container Apps pull over the private endpoint.
  # checkov:skip=CKV_AZURE_164:Docker Content Trust is retired by Azure (and removed from azurerm 5); images are pinned by digest by the deploy jobs.
  # checkov:skip=CKV_AZURE_165:Data residency: images stay in the environment's region.
  # checkov:skip=CKV_AZURE_166:Quarantine needs an external scanner to release images; scanning is Defender for Containers, enabled per subscription.
  # checkov:skip=CKV_AZURE_163:Vulnerability scanning is Microsoft Defender for Containers, a subscription-level plan outside this stack (docs/deploy.md).
  name                          = var.name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  sku                           = "Premium"
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = true
  data_endpoint_enabled         = true
  zone_redundancy_enabled       = true
  retention_policy_in_days      = 7
  # `az acr import` (image promotion between environments) runs as a trusted Azure service:
  # it must pass the firewall of both registries.
  network_rule_bypass_option = "AzureServices"

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.encryption.id]
  }

  encryption {
    key_vault_key_id   = var.cmk_id
    identity_client_id = azurerm_user_assigned_identity.encryption.client_id
  }

  network_rule_set {
    default_action = "Deny"

    dynamic "ip_rule" {
      for_each = var.allowed_ip_ranges
      content {
        action   = "Allow"
        ip_range = ip_rule.value
      }
    }
  }

  depends_on = [azurerm_role_assignment.encryption]
}

resource "azurerm_private_endpoint" "this" {
  name                = "pe-${var.name}"
  location            = var.location
  resource_group_name = var.resource_group_name
  subnet_id           = var.endpoint_subnet_id

  private_service_connection {
    name                           = "registry"
    private_connection_resource_id = azurerm_container_registry.this.id
    is_manual_connection           = false
    subresource_names              = ["registry"]
  }

  private_dns_zone_group {
    name                 = "registry"
    private_dns_zone_ids = [var.private_dns_zone_id]
  }
}
