from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants import provisioning


class Command(BaseCommand):
    help = (
        "Migrate the public schema, then every organisation's schema in parallel, then the template "
        "schema new organisations are cloned from."
    )

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=None, help="Parallel tenant migrations")
        parser.add_argument(
            "--sequential", action="store_true", help="Migrate tenant schemas one by one (standard executor)"
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        if options["processes"]:
            from django.conf import settings

            settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = options["processes"]
        executor = "standard" if options["sequential"] else "multiprocessing"
        call_command(
            "migrate_schemas", tenant=True, executor=executor, interactive=False, verbosity=verbosity
        )
        provisioning.refresh_template(verbosity=max(verbosity - 1, 0))
        # Spares made from the old template would miss this release's migrations.
        provisioning.drop_stale_spare_schemas()
        provisioning.replenish_spare_schemas()
        self.stdout.write(self.style.SUCCESS("All schemas migrated; tenant template is current."))
