output "name" {
  description = "Name of the bucket."
  value       = google_storage_bucket.this.name
}

output "log_bucket_name" {
  description = "Name of the bucket holding the access logs."
  value       = google_storage_bucket.logs.name
}
