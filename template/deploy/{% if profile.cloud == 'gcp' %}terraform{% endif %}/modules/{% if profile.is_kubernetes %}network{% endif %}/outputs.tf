output "network_id" {
  description = "ID of the VPC network."
  value       = google_compute_network.this.id
}

output "subnet_id" {
  description = "ID of the nodes subnet."
  value       = google_compute_subnetwork.nodes.id
}
