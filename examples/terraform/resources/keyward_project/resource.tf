resource "keyward_project" "billing" {
  name        = "billing-api"
  description = "Invoices and payments"
}
