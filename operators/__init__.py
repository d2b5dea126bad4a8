"""What platform operators do: onboard an organisation (its schema, domain and first administrator)
and follow it, over the operator API on the platform domain. Above tenants and memberships, which it
composes; nothing below imports it."""
