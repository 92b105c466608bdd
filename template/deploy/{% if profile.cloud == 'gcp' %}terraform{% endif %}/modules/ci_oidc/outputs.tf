output "service_account_email" {
  description = "Service account CI impersonates."
  value       = google_service_account.ci.email
}

output "workload_identity_provider" {
  description = "Full provider name CI authenticates against."
  value       = google_iam_workload_identity_pool_provider.ci.name
}
