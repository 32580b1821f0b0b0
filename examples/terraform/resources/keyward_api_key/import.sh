# A key is imported by its id. Its secret cannot be read back, so `secret` stays null.
terraform import keyward_api_key.ci key_0123456789abcdefghij
