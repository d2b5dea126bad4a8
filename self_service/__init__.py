"""What residents change themselves: their contact details, login email address and advance payment.

Each use case touches several domains (customers or contracts, memberships, activity, the change feed
for the billing system, emails), so it lives here, above them; the API and the pages call the same
functions."""
