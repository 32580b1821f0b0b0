data "keyward_api_key" "ci" {
  project     = "billing-api"
  environment = "live"
  name        = "ci-deployer"
}

output "ci_next_rotation" {
  value = data.keyward_api_key.ci.next_rotation_at
}
