output "id" {
  description = "ID of the repository."
  value       = google_artifact_registry_repository.this.id
}

output "name" {
  description = "Name of the repository."
  value       = google_artifact_registry_repository.this.name
}

output "url" {
  description = "Where CI pushes images (<region>-docker.pkg.dev/<project>/<repository>)."
  value       = "${var.location}-docker.pkg.dev/${google_artifact_registry_repository.this.project}/${google_artifact_registry_repository.this.repository_id}"
}
