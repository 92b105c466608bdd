variable "name" {
  description = "Key ring name."
  type        = string
}

variable "location" {
  description = "Region of the key ring (the same as the resources it encrypts)."
  type        = string
}

variable "protection_level" {
  description = "SOFTWARE or HSM."
  type        = string
  default     = "HSM"
}

variable "encrypter_members" {
  description = "Service agents (serviceAccount:...) that encrypt and decrypt with the key."
  type        = list(string)
}
