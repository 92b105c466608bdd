output "secret_path" {
  description = "Where the service's environment is written (vault kv put <this> KEY=value ...)."
  value       = local.secret_path
}

output "policy_name" {
  description = "Vault policy of the service."
  value       = vault_policy.service.name
}
