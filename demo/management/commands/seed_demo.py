from django.core.management.base import BaseCommand

from demo.seeding import seed_demo
from tenants.selectors import base_url_for_host


class Command(BaseCommand):
    help = "Create the demo organisations, staff and customers (idempotent) and print URLs and logins."

    def handle(self, *args, **options):
        from django.conf import settings

        report = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Platform operator API: {base_url_for_host(settings.PLATFORM_DOMAIN)}/api/docs/")
        for line in report:
            self.stdout.write(line)
