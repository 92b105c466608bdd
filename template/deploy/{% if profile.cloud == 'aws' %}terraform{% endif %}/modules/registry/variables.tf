variable "name" {
  description = "Repository name."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key that encrypts the images."
  type        = string
}

variable "keep_images" {
  description = "How many images the repository keeps (older ones expire)."
  type        = number
  default     = 50
}
