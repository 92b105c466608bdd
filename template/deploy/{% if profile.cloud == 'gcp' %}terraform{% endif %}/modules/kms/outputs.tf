output "key_id" {
  description = "ID of the customer-managed key."
  value       = google_kms_crypto_key.this.id
}

output "key_ring_id" {
  description = "ID of the key ring."
  value       = google_kms_key_ring.this.id
}
