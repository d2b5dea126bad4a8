"""See the outbox of every organisation, and put given-up emails back in the queue."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from communications import selectors, services
from tenants.models import Organisation


class Command(BaseCommand):
    help = "outbox status | outbox stuck <slug> | outbox retry <slug> [email-id ...]"

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["status", "stuck", "retry"])
        parser.add_argument("organisation", nargs="?", help="organisation slug (stuck, retry)")
        parser.add_argument("email_ids", nargs="*", help="retry only these emails")

    def handle(self, *args, action: str, organisation: str | None, email_ids: list[str], **options) -> None:
        if action == "status":
            rows = selectors.outbox_by_schema(now=timezone.now())
            if not rows:
                self.stdout.write("Every outbox is empty.")
            for row in rows:
                self.stdout.write(
                    f"{row['organisation']:<24} unsent {row['unsent']:>6}  oldest {row['oldest_age_seconds']:>9.0f} s"
                    f"  given up {row['given_up']:>5}"
                )
            return
        found = Organisation.objects.filter(slug=organisation).first() if organisation else None
        if found is None:
            raise CommandError("Name an existing organisation slug.")
        with schema_context(found.schema_name):
            if action == "stuck":
                for email in selectors.stuck_emails():
                    state = (
                        "given up" if email.gave_up_at else f"next try {email.next_attempt_at:%Y-%m-%d %H:%M}"
                    )
                    self.stdout.write(
                        f"{email.pk}  {email.created_at:%Y-%m-%d %H:%M}  {email.template:<28} {email.to:<32} "
                        f"attempts {email.attempts:>2}  {state}  {email.last_error[:80]}"
                    )
                return
            count = services.retry_given_up(email_ids=email_ids or None)
            self.stdout.write(f"{count} email(s) queued again; the next outbox sweep sends them.")
