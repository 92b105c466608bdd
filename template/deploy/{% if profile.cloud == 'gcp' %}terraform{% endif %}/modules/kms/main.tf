# One key ring and customer-managed key per environment, rotated every 90 days, in the
# environment's region. The Google service agents that encrypt on our behalf (Cloud Storage,
# Artifact Registry, Secret Manager, GKE, Compute Engine disks, Cloud Run) may use it.
resource "google_kms_key_ring" "this" {
  name     = var.name
  location = var.location
}

resource "google_kms_crypto_key" "this" {
  name            = "data"
  key_ring        = google_kms_key_ring.this.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = "7776000s"

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = var.protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "service_agents" {
  for_each      = toset(var.encrypter_members)
  crypto_key_id = google_kms_crypto_key.this.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value
}
