variable "name" {
  description = "Name of the key (its alias is alias/<name>)."
  type        = string
}
