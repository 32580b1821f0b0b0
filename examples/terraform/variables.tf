# Both default to null, so the provider falls back to KEYWARD_URL and KEYWARD_TOKEN: exporting
# those (as for the CLI) is enough, and Terraform never prompts. TF_VAR_keyward_url and
# TF_VAR_keyward_token work too.
variable "keyward_url" {
  description = "URL of the key service; null (the default) reads KEYWARD_URL."
  type        = string
  default     = null
}

variable "keyward_token" {
  description = "A management token (kwm_…) with projects:write, scopes:write and keys:* scopes; null (the default) reads KEYWARD_TOKEN."
  type        = string
  default     = null
  sensitive   = true
}
