output "artifact_bucket" {
  description = "Bucket of the DVC remote and the MLflow artefacts."
  value       = module.artifacts.name
}

output "registry_url" {
  description = "Where CI pushes the service image."
  value       = module.registry.url
}

output "registry_id" {
  description = "ID of the image repository (production reads staging's to promote images)."
  value       = module.registry.id
}

output "ci_service_account" {
  description = "Service account CI impersonates."
  value       = module.ci.service_account_email
}

output "ci_workload_identity_provider" {
  description = "Workload identity provider CI authenticates against."
  value       = module.ci.workload_identity_provider
}

output "runtime_service_account" {
  description = "Service account the service runs as."
  value       = google_service_account.runtime.email
}

output "audit_log_location" {
  description = "Cloud Logging bucket that keeps the service's audit records (its audit.record log lines)."
  value       = google_logging_project_bucket_config.audit.id
}
