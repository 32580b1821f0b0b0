# Recommended: destinations. The provider writes the secret into GitHub secrets whenever it
# issues one (create, rotation_triggers change); it is never in the state or plan.
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

  # Change any value to rotate the key on the next apply (and redeliver it).
  rotation_triggers = { reason = "2026-11 incident" }

  destination {
    github_secret = { repository = "acme/billing", environment = "production", name = "BILLING_API_KEY" }
  }
  destination {
    github_org_secret = { org = "acme", name = "BILLING_API_KEY", visibility = "selected", selected_repositories = ["acme/web"] }
  }
}

# For any other secret store: an ephemeral secret, passed write-only to the key and to the store.
ephemeral "keyward_secret" "payouts" {
  environment = "live"
}

resource "keyward_api_key" "payouts" {
  project           = keyward_project.billing.name
  environment       = "live"
  name              = "payouts"
  scopes            = [keyward_scope.read.name]
  rotation          = { every = "30d", grace_period = "24h" }
  secret_wo         = ephemeral.keyward_secret.payouts.secret
  secret_wo_version = 1 # bump to rotate to a fresh secret
}

# e.g. resource "aws_secretsmanager_secret_version" "payouts" {
#   secret_id                = aws_secretsmanager_secret.payouts.id
#   secret_string_wo         = ephemeral.keyward_secret.payouts.secret
#   secret_string_wo_version = keyward_api_key.payouts.secret_wo_version
# }

# Fallback: no destination and no secret_wo. The secret is then held in the state (sensitive,
# hidden from plan output, but in terraform.tfstate in plain text): protect the state accordingly.
resource "keyward_api_key" "legacy" {
  project     = keyward_project.billing.name
  environment = "test"
  name        = "legacy-export"
  scopes      = [keyward_scope.read.name]
}

output "legacy_key_secret" {
  value     = keyward_api_key.legacy.secret
  sensitive = true
}
