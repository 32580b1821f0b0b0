# A project is imported by its name.
terraform import keyward_project.billing billing-api
