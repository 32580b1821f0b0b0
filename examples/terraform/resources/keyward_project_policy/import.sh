# A project policy is imported by its project's name.
terraform import keyward_project_policy.billing billing-api
