output "artifact_bucket" {
  description = "Bucket of the DVC remote and the MLflow artefacts."
  value       = module.artifacts.bucket_name
}

output "kms_key_arn" {
  description = "The environment's customer-managed key."
  value       = module.kms.key_arn
}

output "repository_url" {
  description = "Where CI pushes the service image."
  value       = module.registry.repository_url
}

output "repository_arn" {
  description = "ARN of the image repository (production reads staging's to promote images)."
  value       = module.registry.repository_arn
}

output "ci_role_arn" {
  description = "Role CI assumes through OIDC."
  value       = module.ci.role_arn
}

output "runtime_role_arn" {
  description = "Role the service runs as."
  value       = module.runtime_identity.role_arn
}

output "audit_log_location" {
  description = "CloudWatch Logs log group that keeps the service's audit records (its audit.record log lines)."
  value       = local.audit_log_location
}
