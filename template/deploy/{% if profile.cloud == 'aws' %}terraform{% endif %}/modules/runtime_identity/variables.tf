variable "name" {
  description = "Role name."
  type        = string
}

variable "trusted_service" {
  description = "Service principal allowed to assume the role (pods.eks.amazonaws.com, lambda.amazonaws.com)."
  type        = string
}

variable "trust_actions" {
  description = "Actions the service principal may perform on the role."
  type        = list(string)
  default     = ["sts:AssumeRole"]
}

variable "policy_json" {
  description = "The role's permissions (an IAM policy document)."
  type        = string
}
