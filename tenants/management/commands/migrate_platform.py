from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tenants import cluster, provisioning
from tenants.migration_pass import lagging_schemas, migrate_schemas

__all__ = ["Command", "lagging_schemas"]

# Rounds of the final re-check (an organisation onboarded while a round runs is found by the next).
RECHECK_ROUNDS = 3


class Command(BaseCommand):
    help = (
        "Migrate the public schema, then the organisation schemas that lack a migration (in "
        "parallel), then the template schema new organisations are cloned from; finally migrate "
        "organisations onboarded meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=None, help="Parallel tenant migrations")
        parser.add_argument(
            "--sequential", action="store_true", help="Migrate tenant schemas one by one (standard executor)"
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        # On Citus: before any tenant schema is migrated or distributed (accounts migration 0003
        # does it too, for a database that had Citus when it ran).
        cluster.ensure_reference_tables()
        if options["processes"]:
            from django.conf import settings

            settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = options["processes"]
        # Only the schemas that lack a migration: a current schema costs Django's migrate about
        # 0.2 s for nothing (tenants/migration_pass.py).
        lagging = lagging_schemas()
        if verbosity:
            self.stdout.write(f"{len(lagging)} organisation schemas lack migrations.")
        migrate_schemas(lagging, verbosity=verbosity, parallel=not options["sequential"])
        provisioning.refresh_template(verbosity=max(verbosity - 1, 0))
        # Spares made from the old template would miss this release's migrations.
        provisioning.drop_stale_spare_schemas()
        provisioning.replenish_spare_schemas()
        self._migrate_late_schemas(verbosity)
        self.stdout.write(self.style.SUCCESS("All schemas migrated; tenant template is current."))

    def _migrate_late_schemas(self, verbosity: int) -> None:
        """Migrate schemas onboarded (by the old pods) while the steps above ran."""
        for _round in range(RECHECK_ROUNDS):
            late = lagging_schemas()
            if not late:
                return
            for schema_name in late:
                self.stdout.write(f"Migrating {schema_name}, onboarded during the migration.")
            migrate_schemas(late, verbosity=verbosity, parallel=False)
        late = lagging_schemas()
        if late:
            raise CommandError(
                f"Schemas still lack migrations after {RECHECK_ROUNDS} rounds: {', '.join(late)}"
            )
