provider "keyward" {
  endpoint = "http://127.0.0.1:8787" # or KEYWARD_URL
  token    = var.keyward_token       # or KEYWARD_TOKEN

  # Only for keys with destination blocks: a token with "Secrets: write".
  github_token   = var.github_token         # or GITHUB_TOKEN
  github_api_url = "https://api.github.com" # or GITHUB_API_URL
}
