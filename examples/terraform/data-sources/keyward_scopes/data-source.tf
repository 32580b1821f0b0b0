data "keyward_scopes" "billing" {
  project = "billing-api"
}

output "billing_scope_names" {
  value = data.keyward_scopes.billing.scopes[*].name
}
