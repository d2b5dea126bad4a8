"""One importer per entity of the billing-system import; ``integration.importing`` runs them in order."""
