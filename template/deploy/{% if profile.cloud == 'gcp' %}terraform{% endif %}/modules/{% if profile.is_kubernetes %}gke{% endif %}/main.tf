# GKE as a private cluster: private nodes (and, by default, a private control-plane endpoint),
# Workload Identity, Dataplane V2 network policies, Kubernetes secrets encrypted with the
# customer-managed key, Shielded GKE nodes on COS with CMEK boot disks, Binary Authorization,
# the regular release channel, and a node service account that can only log, report metrics
# and pull images.
resource "google_service_account" "nodes" {
  account_id   = var.node_service_account_id
  display_name = "GKE nodes of ${var.name}"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_container_cluster" "this" {
  # checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Cloud Identity or Workspace group (gke-security-groups@<domain>); set rbac_security_group once you have one.
  name                        = var.name
  location                    = var.region
  network                     = var.network_id
  subnetwork                  = var.subnet_id
  networking_mode             = "VPC_NATIVE"
  datapath_provider           = "ADVANCED_DATAPATH"
  remove_default_node_pool    = true
  initial_node_count          = 1
  deletion_protection         = true
  enable_shielded_nodes       = true
  enable_legacy_abac          = false
  enable_intranode_visibility = true
  logging_service             = "logging.googleapis.com/kubernetes"
  monitoring_service          = "monitoring.googleapis.com/kubernetes"
  resource_labels             = { service = var.name }

  # Dataplane V2 (ADVANCED_DATAPATH) enforces network policies itself.
  network_policy {
    enabled = false
  }

  dynamic "authenticator_groups_config" {
    for_each = var.rbac_security_group == null ? [] : [var.rbac_security_group]
    content {
      security_group = authenticator_groups_config.value
    }
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = var.private_endpoint
    master_ipv4_cidr_block  = var.control_plane_cidr
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.authorized_networks
      content {
        cidr_block   = cidr_blocks.value
        display_name = cidr_blocks.value
      }
    }
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  release_channel {
    channel = "REGULAR"
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  database_encryption {
    state    = "ENCRYPTED"
    key_name = var.kms_key_id
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  security_posture_config {
    mode               = "BASIC"
    vulnerability_mode = "VULNERABILITY_BASIC"
  }

  # Only for the throwaway default pool; the real pools are below.
  node_config {
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

resource "google_container_node_pool" "general" {
  name     = "general"
  cluster  = google_container_cluster.this.id
  location = var.region

  autoscaling {
    total_min_node_count = var.node_min_count
    total_max_node_count = var.node_max_count
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type      = var.node_machine_type
    image_type        = "COS_CONTAINERD"
    service_account   = google_service_account.nodes.email
    oauth_scopes      = ["https://www.googleapis.com/auth/cloud-platform"]
    boot_disk_kms_key = var.kms_key_id
    metadata          = { disable-legacy-endpoints = "true" }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

# GPU nodes scaled by the cluster autoscaler, from zero when gpu_min_count = 0. GKE labels them
# cloud.google.com/gke-accelerator=<type>, taints them nvidia.com/gpu=present:NoSchedule and
# installs the driver: the Helm chart selects the label and tolerates the taint.
resource "google_container_node_pool" "gpu" {
  count    = var.gpu_enabled ? 1 : 0
  name     = "gpu"
  cluster  = google_container_cluster.this.id
  location = var.region

  autoscaling {
    total_min_node_count = var.gpu_min_count
    total_max_node_count = var.gpu_max_count
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type      = var.gpu_machine_type
    image_type        = "COS_CONTAINERD"
    service_account   = google_service_account.nodes.email
    oauth_scopes      = ["https://www.googleapis.com/auth/cloud-platform"]
    boot_disk_kms_key = var.kms_key_id
    metadata          = { disable-legacy-endpoints = "true" }

    guest_accelerator {
      type  = var.gpu_accelerator
      count = 1

      gpu_driver_installation_config {
        gpu_driver_version = "DEFAULT"
      }
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}
