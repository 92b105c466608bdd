variable "name" {
  description = "Name prefix of the network resources."
  type        = string
}

variable "cidr_block" {
  description = "Address range of the VPC."
  type        = string
  default     = "10.0.0.0/16"
}

variable "zone_suffixes" {
  description = "Availability zones (region name + suffix) to spread the subnets over."
  type        = list(string)
  default     = ["a", "b", "c"]
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper) instead of one per zone (survives a zone outage)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key that encrypts the flow logs."
  type        = string
}

variable "log_retention_days" {
  description = "Days the flow logs are kept."
  type        = number
}
