output "secret_ids" {
  description = "Secret ID (short name) by environment variable."
  value       = { for key, secret in google_secret_manager_secret.this : var.secrets[key] => secret.secret_id }
}
