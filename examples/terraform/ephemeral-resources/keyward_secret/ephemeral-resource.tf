# Terraform 1.10+ (write-only arguments: 1.11+). A fresh secret every plan and apply, never stored;
# only the one a secret_wo_version change sends is issued.
ephemeral "keyward_secret" "deployer" {
  environment = "live"
}

resource "keyward_api_key" "deployer" {
  project           = "billing-api"
  environment       = "live"
  name              = "deployer"
  scopes            = ["invoices:read"]
  secret_wo         = ephemeral.keyward_secret.deployer.secret
  secret_wo_version = 1
}

# The same value, in the same run, to any other store's write-only argument, e.g.
# vault_kv_secret_v2.data_json_wo = jsonencode({ key = ephemeral.keyward_secret.deployer.secret })
# or to a provisioner, through the environment (never a command-line argument):
resource "terraform_data" "deployer_secret" {
  triggers_replace = [keyward_api_key.deployer.secret_wo_version]
  provisioner "local-exec" {
    command     = "store-secret deployer" # reads KEYWARD_SECRET
    environment = { KEYWARD_SECRET = ephemeral.keyward_secret.deployer.secret }
  }
}
