output "name" {
  description = "Name of the cluster."
  value       = google_container_cluster.this.name
}

output "id" {
  description = "ID of the cluster."
  value       = google_container_cluster.this.id
}
