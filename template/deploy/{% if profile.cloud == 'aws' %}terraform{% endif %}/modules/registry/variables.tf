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

variable "pull_principal_arns" {
  description = "Roles in other accounts that may pull images from this repository (image promotion)."
  type        = list(string)
  default     = []
}

variable "pull_actions" {
  description = "What those roles may do: the ECR actions of an image pull."
  type        = list(string)
}
