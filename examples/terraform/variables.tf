variable "keyward_url" {
  description = "URL of the key service."
  type        = string
  default     = "http://127.0.0.1:8787"
}

variable "keyward_token" {
  description = "A management token (kwm_…) with projects:write, scopes:write and keys:* scopes."
  type        = string
  sensitive   = true
}
