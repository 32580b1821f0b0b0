# A token for the GitHub Action's rotate mode, limited to one project.
resource "keyward_management_token" "rotator" {
  name    = "github-rotator"
  scopes  = ["keys:read", "keys:rotate"]
  project = keyward_project.billing.name
}
