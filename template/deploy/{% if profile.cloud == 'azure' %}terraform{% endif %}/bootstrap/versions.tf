terraform {
  required_version = ">= 1.10"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }

  # Local state: this root creates the storage account every other state lives in. Keep its
  # terraform.tfstate safe (or migrate it into the account afterwards: docs/deploy.md).
}
