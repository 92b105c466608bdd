# The service on Azure Container Apps: the image runs as is (it listens on $PORT). Revisions
# share traffic (multiple-revision mode) so CI can canary a new revision and roll back; secrets
# are Key Vault references read with the service's managed identity, never copied into state.
resource "azurerm_container_app_environment" "this" {
  name                               = "cae-${var.name}"
  location                           = var.location
  resource_group_name                = var.resource_group_name
  logs_destination                   = "azure-monitor"
  infrastructure_subnet_id           = var.subnet_id
  infrastructure_resource_group_name = "rg-${var.name}-cae-infra"
  internal_load_balancer_enabled     = false
  zone_redundancy_enabled            = true

  workload_profile {
    name                  = "Consumption"
    workload_profile_type = "Consumption"
  }
}

# The apps' console and system logs go to the workspace through a diagnostic setting, into the
# resource-specific tables ContainerAppConsoleLogs and ContainerAppSystemLogs: Azure tables that
# exist in every workspace, so the platform sets their retention before the first line arrives
# (the "log-analytics" destination writes to ContainerAppConsoleLogs_CL, created only then).
resource "azurerm_monitor_diagnostic_setting" "environment" {
  name                           = "logs-to-workspace"
  target_resource_id             = azurerm_container_app_environment.this.id
  log_analytics_workspace_id     = var.log_analytics_workspace_id
  log_analytics_destination_type = "Dedicated"

  enabled_log {
    category = "ContainerAppConsoleLogs"
  }

  enabled_log {
    category = "ContainerAppSystemLogs"
  }
}

resource "azurerm_container_app" "this" {
  name                         = "ca-${var.name}"
  container_app_environment_id = azurerm_container_app_environment.this.id
  resource_group_name          = var.resource_group_name
  revision_mode                = "Multiple"
  workload_profile_name        = "Consumption"

  identity {
    type         = "UserAssigned"
    identity_ids = [var.identity_id]
  }

  registry {
    server   = var.registry_server
    identity = var.identity_id
  }

  dynamic "secret" {
    for_each = var.key_vault_secrets
    content {
      name                = secret.key
      identity            = var.identity_id
      key_vault_secret_id = secret.value.id
    }
  }

  ingress {
    external_enabled           = true
    target_port                = var.port
    transport                  = "auto"
    allow_insecure_connections = false

    traffic_weight {
      latest_revision = true
      percentage      = 100
    }
  }

  template {
    min_replicas = var.min_replicas
    max_replicas = var.max_replicas

    container {
      name   = "service"
      image  = var.image
      cpu    = var.cpu
      memory = var.memory

      dynamic "env" {
        for_each = var.environment
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.key_vault_secrets
        content {
          name        = env.value.variable
          secret_name = env.key
        }
      }

      liveness_probe {
        transport = "HTTP"
        port      = var.port
        path      = "/healthz"
      }

      readiness_probe {
        transport = "HTTP"
        port      = var.port
        path      = "/readyz"
      }
    }

    http_scale_rule {
      name                = "concurrent-requests"
      concurrent_requests = var.concurrent_requests_per_replica
    }
  }

  # CI ships new images as new revisions and moves traffic between them.
  lifecycle {
    ignore_changes = [template[0].container[0].image, template[0].revision_suffix, ingress[0].traffic_weight]
  }
}
