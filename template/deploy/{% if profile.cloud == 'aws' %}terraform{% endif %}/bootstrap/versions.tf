terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Local state: this root creates the bucket every other state lives in. Keep its
  # terraform.tfstate safe (or migrate it into the bucket afterwards: docs/deploy.md).
}
