# A token is imported by its id. Its secret cannot be read back, so `secret` stays null.
terraform import keyward_management_token.rotator tok_0123456789abcdefghij
