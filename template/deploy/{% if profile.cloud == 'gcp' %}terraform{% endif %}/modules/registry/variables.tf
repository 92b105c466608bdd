variable "name" {
  description = "Repository ID."
  type        = string
}

variable "location" {
  description = "Region of the repository."
  type        = string
}

variable "kms_key_id" {
  description = "Customer-managed key encrypting the images."
  type        = string
}

variable "keep_images" {
  description = "How many recent images the cleanup keeps."
  type        = number
  default     = 50
}
