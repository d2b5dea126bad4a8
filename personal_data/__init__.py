"""A resident's own data: the archive of everything the portal holds about them ("Download my data").

An archive is built in the background (a Celery task, its progress kept on the row), announced by
email, and downloaded once with a link that expires. It reads the domains it exports (customers,
contracts, invoicing, documents, consumption, memberships), so it sits in the use-case layer."""
