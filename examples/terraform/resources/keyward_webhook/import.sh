# A webhook is imported by its id. Its signing secret cannot be read back, so `secret` stays null.
terraform import keyward_webhook.alerts whk_0123456789abcdefghij
