# AKS as a private cluster: Entra ID sign-in with Azure RBAC only (no local accounts), workload
# identity, Azure CNI overlay with Cilium network policies, nodes with host encryption and
# customer-managed disk keys, automatic patch upgrades, Azure Policy and Defender, logs to Log
# Analytics. System pods get their own pool; the service runs on the apps pool (and GPU pool).
resource "azurerm_user_assigned_identity" "cluster" {
  name                = "id-${var.name}-aks"
  location            = var.location
  resource_group_name = var.resource_group_name
}

# The control plane joins the node subnet before the cluster exists.
resource "azurerm_role_assignment" "cluster_network" {
  scope                = var.subnet_id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_user_assigned_identity.cluster.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_disk_encryption_set" "this" {
  name                      = "des-${var.name}"
  location                  = var.location
  resource_group_name       = var.resource_group_name
  key_vault_key_id          = var.cmk_id
  auto_key_rotation_enabled = true

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "disk_encryption" {
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_disk_encryption_set.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_kubernetes_cluster" "this" {
  name                      = "aks-${var.name}"
  location                  = var.location
  resource_group_name       = var.resource_group_name
  dns_prefix                = "aks-${var.name}"
  kubernetes_version        = var.kubernetes_version
  sku_tier                  = "Standard"
  private_cluster_enabled   = true
  private_dns_zone_id       = "System"
  local_account_disabled    = true
  oidc_issuer_enabled       = true
  workload_identity_enabled = true
  azure_policy_enabled      = true
  automatic_upgrade_channel = "patch"
  node_os_upgrade_channel   = "NodeImage"
  disk_encryption_set_id    = azurerm_disk_encryption_set.this.id

  default_node_pool {
    name                         = "system"
    vm_size                      = var.system_vm_size
    vnet_subnet_id               = var.subnet_id
    zones                        = var.zones
    auto_scaling_enabled         = true
    min_count                    = 2
    max_count                    = 3
    max_pods                     = 50
    os_disk_type                 = "Ephemeral"
    host_encryption_enabled      = true
    only_critical_addons_enabled = true
    temporary_name_for_rotation  = "systemtmp"

    upgrade_settings {
      max_surge = "33%"
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.cluster.id]
  }

  azure_active_directory_role_based_access_control {
    tenant_id              = var.tenant_id
    azure_rbac_enabled     = true
    admin_group_object_ids = var.admin_group_object_ids
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    outbound_type       = "loadBalancer"
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }

  oms_agent {
    log_analytics_workspace_id      = var.log_analytics_workspace_id
    msi_auth_for_monitoring_enabled = true
  }

  microsoft_defender {
    log_analytics_workspace_id = var.log_analytics_workspace_id
  }

  depends_on = [azurerm_role_assignment.cluster_network, azurerm_role_assignment.disk_encryption]
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  name                    = "apps"
  kubernetes_cluster_id   = azurerm_kubernetes_cluster.this.id
  mode                    = "User"
  vm_size                 = var.apps_vm_size
  vnet_subnet_id          = var.subnet_id
  zones                   = var.zones
  auto_scaling_enabled    = true
  min_count               = var.apps_min_count
  max_count               = var.apps_max_count
  max_pods                = 50
  os_disk_type            = "Ephemeral"
  host_encryption_enabled = true

  upgrade_settings {
    max_surge = "33%"
  }
}

# GPU nodes scaled by the cluster autoscaler, from zero when gpu_min_count = 0. AKS labels them
# kubernetes.azure.com/accelerator=nvidia; the taint keeps every pod without the toleration off.
resource "azurerm_kubernetes_cluster_node_pool" "gpu" {
  count                   = var.gpu_enabled ? 1 : 0
  name                    = "gpu"
  kubernetes_cluster_id   = azurerm_kubernetes_cluster.this.id
  mode                    = "User"
  vm_size                 = var.gpu_vm_size
  vnet_subnet_id          = var.subnet_id
  zones                   = var.zones
  auto_scaling_enabled    = true
  min_count               = var.gpu_min_count
  max_count               = var.gpu_max_count
  max_pods                = 50
  os_disk_type            = "Ephemeral"
  host_encryption_enabled = true
  node_taints             = [var.gpu_taint]

  upgrade_settings {
    max_surge = "1"
  }
}

# Nodes pull the service image from the registry with their kubelet identity.
resource "azurerm_role_assignment" "acr_pull" {
  scope                = var.registry_id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id
  principal_type       = "ServicePrincipal"
}
