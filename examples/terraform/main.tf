# The whole path from nothing to `terraform apply` (see packages/provider/docs/index.md):
#   npm run build && npx keyward provider install      # the provider, offline
#   export KEYWARD_URL=http://127.0.0.1:8787 KEYWARD_TOKEN=kwm_…   # or TF_VAR_keyward_url / TF_VAR_keyward_token
#   terraform init && terraform apply
terraform {
  required_version = ">= 1.5"
  required_providers {
    keyward = {
      source  = "keyward/keyward"
      version = "~> 0.1"
    }
  }
}

provider "keyward" {
  endpoint = var.keyward_url   # or KEYWARD_URL
  token    = var.keyward_token # or KEYWARD_TOKEN; sensitive
}

resource "keyward_project" "billing" {
  name = "billing-terraform"
}

resource "keyward_scope" "read" {
  project     = keyward_project.billing.name
  name        = "invoices:read"
  description = "Read invoices"
}

resource "keyward_api_key" "ci" {
  project           = keyward_project.billing.name
  environment       = "live"
  name              = "ci-deployer"
  scopes            = [keyward_scope.read.name]
  expires_at        = "2027-06-30T00:00:00Z" # optional
  rotation          = { every = "30d", grace_period = "24h" }
  ip_allowlist      = ["10.0.0.0/8"]                    # optional
  rate_limit        = { requests = 100, window = "1m" } # optional
  metadata          = { team = "payments" }
  rotation_triggers = { reason = "2026-11 incident" } # changing it rotates the key on apply
}
