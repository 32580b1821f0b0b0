# Live keys must rotate at least every 90 days, expire within a year and be delivered to a secret
# store; a key that breaks this fails `terraform plan`.
resource "keyward_project_policy" "billing" {
  project = keyward_project.billing.name
  live = {
    require_rotation     = true
    max_rotation_every   = "90d"
    max_lifetime         = "365d"
    max_grace_period     = "7d"
    require_destinations = true
    exposure             = "revoke"
  }
  test = {
    exposure = "notify"
  }
}
