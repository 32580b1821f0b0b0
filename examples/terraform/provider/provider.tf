provider "keyward" {
  endpoint = "http://127.0.0.1:8787" # or KEYWARD_URL
  token    = var.keyward_token       # or KEYWARD_TOKEN
}
