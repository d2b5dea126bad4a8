"""Demo move requests, help requests and FAQs (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from consumption.entered_readings import register_bounds
from consumption.models import Meter
from contracts.models import ContractLocation, Location
from customers.models import Customer
from moves import move_in, move_out
from moves.models import MoveInRequest, MoveOutRequest
from support import services as support
from support.models import FaqCategory, Ticket


def _readings_after_the_last(meters, organisation) -> list[dict]:
    """Readings a resident could give today: a little above each meter's last known reading (the
    portal refuses one below it, or far above it, at entry: consumption.entered_readings)."""
    ids = list(meters.values_list("pk", flat=True))
    bounds = register_bounds(ids, timezone.now())
    return [
        {
            "meter_id": pk,
            # Meters show three decimals at most, as the form takes them.
            "value": str(
                ((bounds[pk].previous.value if bounds[pk].previous else Decimal(0)) + 12).quantize(
                    Decimal("0.001"), ROUND_CEILING
                )
            ),
        }
        for pk in ids
    ]


FAQ = [
    (
        {"nl": "Facturen en betalen", "en": "Invoices and payments", "fr": "Factures et paiements"},
        [
            (
                {
                    "nl": "Wanneer krijg ik mijn jaarafrekening?",
                    "en": "When do I get my yearly settlement?",
                    "fr": "Quand vais-je recevoir mon décompte annuel ?",
                },
                {
                    "nl": "<p>Na elk verbruiksjaar, meestal in <strong>november</strong>.</p>",
                    "en": "<p>After each consumption year, usually in <strong>November</strong>.</p>",
                    "fr": "<p>Après chaque année de consommation, généralement en <strong>novembre</strong>.</p>",
                },
            ),
            (
                {
                    "nl": "Kan ik mijn voorschot aanpassen?",
                    "en": "Can I change my advance payment?",
                    "fr": "Puis-je modifier mon acompte ?",
                },
                {
                    "nl": "<p>Ja, onder <em>Mijn gegevens</em>, binnen de toegelaten marge.</p>",
                    "en": "<p>Yes, under <em>My details</em>, within the allowed range.</p>",
                    "fr": "<p>Oui, sous <em>Mes coordonnées</em>, dans la fourchette autorisée.</p>",
                },
            ),
        ],
    ),
    (
        {"nl": "Verhuizen", "en": "Moving", "fr": "Déménager"},
        [
            (
                {
                    "nl": "Wat moet ik doen als ik verhuis?",
                    "en": "What do I do when I move?",
                    "fr": "Que faire si je déménage ?",
                },
                {
                    "nl": "<p>Meld uw verhuis in het portaal en geef de meterstanden van de verhuisdag door.</p>",
                    "en": "<p>Report your move in the portal with the meter readings of the moving day.</p>",
                    "fr": "<p>Signalez votre déménagement dans le portail avec les relevés du jour du déménagement.</p>",
                },
            ),
        ],
    ),
]


def seed_services(organisation, spec, report: list[str]) -> None:
    if not FaqCategory.objects.exists():
        for position, (names, entries) in enumerate(FAQ):
            category = support.save_faq_category(category=None, names=names, position=position)
            for number, (questions, answers) in enumerate(entries):
                support.save_faq_entry(
                    entry=None, category=category, questions=questions, answers=answers, position=number
                )
    if not Ticket.objects.exists():
        customer = Customer.objects.filter(portal_account__user__isnull=False).first()
        if customer is not None:
            support.open_ticket(
                organisation=organisation,
                kind="meter_problem",
                subject="Meter display is blank",
                message="Since yesterday the heat meter shows nothing.",
                language=customer.language,
                customer=customer,
            )
        support.open_ticket(
            organisation=organisation,
            kind="question",
            subject="Do you supply Kerkstraat?",
            message="I am thinking of moving to Kerkstraat 20.",
            language=organisation.default_language,
            name="Victor Visitor",
            email="victor@example.localhost",
        )
    if not MoveInRequest.objects.exclude(status="draft").exists():
        location = Location.objects.filter(meters__isnull=False).order_by("pk").first()
        if location is not None:
            draft = move_in.start_draft(language=organisation.default_language)
            today = timezone.localdate(timezone=organisation.zone)
            steps = {
                1: {"location_id": location.pk},
                2: {"move_in_date": (today + timedelta(days=14)).isoformat()},
                3: {"kind": "person", "first_name": "Nora", "last_name": "Nieuwkomer"},
                4: {
                    "email": f"nora@{organisation.slug}.localhost",
                    "language": organisation.default_language,
                },
                5: {
                    "readings": _readings_after_the_last(
                        Meter.objects.filter(location=location, active=True).order_by("pk"), organisation
                    )
                },
                6: {"billing_preference": "email", "payment_method": "transfer"},
                7: {"accept_terms": True, "accept_privacy": True},
            }
            for number, data in steps.items():
                move_in.save_step(key=draft.key, number=number, data=data, organisation=organisation)
            move_in.submit(key=draft.key, organisation=organisation)
    if not MoveOutRequest.objects.exists():
        row = (
            ContractLocation.objects.filter(
                contract__customer__customer_number__in=["N-1001", "Z-5001"], move_out_date__isnull=True
            )
            .select_related("contract")
            .first()
        )
        if row is not None:
            today = timezone.localdate(timezone=organisation.zone)
            move_out.submit_move_out(
                customer=row.contract.customer,
                data={
                    "contract_id": row.contract_id,
                    "location_id": row.location_id,
                    "move_out_date": (today + timedelta(days=30)).isoformat(),
                    # Only the meters whose service this contract delivers at the address.
                    "readings": _readings_after_the_last(move_out.covered_meters(row), organisation),
                    "forwarding_address": {
                        "street": "Nieuwe Weg",
                        "house_number": "1",
                        "postal_code": "2000",
                        "city": "Antwerpen",
                    },
                },
                organisation=organisation,
            )
    report.append(
        f"requests   {MoveInRequest.objects.filter(status='submitted').count()} move-in, "
        f"{MoveOutRequest.objects.filter(status='submitted').count()} move-out waiting; "
        f"{Ticket.objects.count()} tickets; {FaqCategory.objects.count()} FAQ categories"
    )
