from django.core.management.base import BaseCommand

from tenants import provisioning


class Command(BaseCommand):
    help = "Create or migrate the template schema that new organisations are cloned from."

    def handle(self, *args, **options):
        provisioning.refresh_template(verbosity=max(options["verbosity"] - 1, 0))
        state = "current" if provisioning.template_is_current() else "STALE"
        self.stdout.write(f"Template schema {provisioning.template_schema_name()} is {state}.")
