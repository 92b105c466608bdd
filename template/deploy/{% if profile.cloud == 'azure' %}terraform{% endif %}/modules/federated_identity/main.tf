# A user-assigned managed identity that an external OIDC issuer (CI, or the AKS cluster for the
# service's service account) may act as -- no client secret exists -- and the roles it holds,
# each on the narrowest scope.
resource "azurerm_user_assigned_identity" "this" {
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
}

resource "azurerm_federated_identity_credential" "this" {
  for_each            = var.subjects
  name                = each.key
  resource_group_name = var.resource_group_name
  parent_id           = azurerm_user_assigned_identity.this.id
  issuer              = var.issuer
  subject             = each.value
  audience            = [var.audience]
}

resource "azurerm_role_assignment" "this" {
  for_each             = var.role_assignments
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
}
