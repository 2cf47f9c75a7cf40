variable "connection_string" {
  type      = string
  sensitive = true
}

variable "access_key_ttl_hours" {
  description = "how long a short-lived key lives; the keys themselves come from the vault"
  default     = 1
}
