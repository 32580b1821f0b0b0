resource "keyward_api_key" "ci" {
  project      = keyward_project.billing.name
  environment  = "live"
  name         = "ci-deployer"
  scopes       = [keyward_scope.read.name] # reference scopes so they are created first
  expires_at   = "2027-06-30T00:00:00Z"
  rotation     = { every = "30d", grace_period = "24h" }
  ip_allowlist = ["10.0.0.0/8"]
  rate_limit   = { requests = 100, window = "1m" }
  metadata     = { team = "payments" }

  # Change any value to rotate the key on the next apply.
  rotation_triggers = { reason = "2026-11 incident" }
}

output "ci_key_secret" {
  value     = keyward_api_key.ci.secret
  sensitive = true
}
