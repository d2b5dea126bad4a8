from django.core.management.base import BaseCommand, CommandError

from operators.onboarding import onboard_organisation
from tenants.errors import OrganisationError


class Command(BaseCommand):
    help = "Onboard an organisation: schema, primary portal domain and an invitation for its first admin."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--domain", required=True, help="Primary portal host name")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--time-zone", default="Europe/Brussels")
        parser.add_argument("--language", default="nl", choices=["en", "nl", "fr"])
        parser.add_argument(
            "--feature",
            action="append",
            default=[],
            metavar="FLAG",
            help="Enable a feature flag (repeatable)",
        )

    def handle(self, *args, **options):
        try:
            result = onboard_organisation(
                name=options["name"],
                slug=options["slug"],
                domain=options["domain"],
                admin_email=options["admin_email"],
                time_zone=options["time_zone"],
                default_language=options["language"],
                features=dict.fromkeys(options["feature"], True),
            )
        except OrganisationError as exc:
            where = f"{exc.field}: " if exc.field else ""
            raise CommandError(f"{where}{exc.message}") from exc
        organisation = result.organisation
        self.stdout.write(
            self.style.SUCCESS(
                f"Onboarded {organisation.name} ({organisation.schema_name}) on {result.domain.domain} "
                f"by {result.schema_method} in {result.seconds:.2f} s; invitation queued for {options['admin_email']}."
            )
        )
