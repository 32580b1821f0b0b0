# A trust policy is imported by its name.
terraform import keyward_trust_policy.rotate_billing rotate-billing
