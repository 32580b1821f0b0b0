output "key_id" {
  description = "Id of the CI key, for `keyward keys get` or the GitHub Action's targets."
  value       = keyward_api_key.ci.id
}

output "key_version" {
  description = "Secret version: 1 after creation, +1 per rotation."
  value       = keyward_api_key.ci.version
}

output "key_hint" {
  description = "Safe-to-show hint of the current secret."
  value       = keyward_api_key.ci.hint
}

output "key_secret" {
  description = "The secret Terraform issued (null after a rotation done elsewhere). Read it with `terraform output -raw key_secret`."
  value       = keyward_api_key.ci.secret
  sensitive   = true
}

output "next_rotation_at" {
  value = keyward_api_key.ci.next_rotation_at
}
