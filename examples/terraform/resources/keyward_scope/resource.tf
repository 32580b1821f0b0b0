resource "keyward_scope" "read" {
  project     = keyward_project.billing.name
  name        = "invoices:read"
  description = "Read invoices"
}
