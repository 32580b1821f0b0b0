# GitHub Actions jobs of one repository (by id: a name can be re-registered), on main, in the
# production environment, may exchange their OIDC ID token for a 15-minute token that rotates
# billing-api's live keys. The workflow then needs `permissions: id-token: write` and no Keyward secret.
resource "keyward_trust_policy" "rotate_billing" {
  name     = "rotate-billing"
  issuer   = "https://token.actions.githubusercontent.com"
  audience = "https://keyward.example.com"
  claims = {
    repository_id = "123456"
    ref           = "refs/heads/main"
    environment   = "production"
  }
  scopes      = ["keys:read", "keys:rotate"]
  project     = "billing-api"
  environment = "live"
  ttl         = "15m"
}
