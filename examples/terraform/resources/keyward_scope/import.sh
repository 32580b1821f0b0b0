# A scope is imported as project/name.
terraform import keyward_scope.read billing-api/invoices:read
