# Tell the on-call channel's relay about leaks and about keys that need attention.
resource "keyward_webhook" "alerts" {
  url     = "https://hooks.example.com/keyward"
  events  = ["key.exposed", "key.expiring", "key.rotation_overdue", "key.revoked"]
  project = keyward_project.billing.name
}

