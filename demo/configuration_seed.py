"""Demo branding, contact details, advance policy and messages: different for each organisation."""

from __future__ import annotations

import io
import math
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from configuration import services
from configuration.models import GeneralPreferences, PageMessage, PortalPreferences

ZUID_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="180" height="60" viewBox="0 0 180 60">'
    b'<rect width="60" height="60" rx="12" fill="#8250df"/><path d="M30 12 L44 38 H16 Z" fill="#ffffff"/>'
    b'<text x="70" y="38" font-family="Arial" font-size="20" fill="#1f2328">Zuid</text></svg>'
)


def noord_logo() -> bytes:
    """Noord's portal logo: a PNG drawn with Pillow (twice the 60 px the portal shows, for sharp screens)."""
    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 119, 119), radius=24, fill="#1a7f37")
    # Three waves of warm water.
    for middle in (36, 60, 84):
        wave = [(x, middle + 7 * math.sin((x - 20) / 80 * 2 * math.pi)) for x in range(20, 101, 4)]
        draw.line(wave, fill="#ffffff", width=8, joint="curve")
    draw.text((138, 60), "Noord", fill="#1f2328", font=ImageFont.load_default(size=64), anchor="lm")
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def favicon(background: str, mark: list[tuple[int, int]]) -> bytes:
    """An ICO with the usual sizes: a rounded square in the brand colour with a white mark."""
    image = Image.new("RGBA", (64, 64), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 63, 63), radius=14, fill=background)
    draw.polygon(mark, fill="#ffffff")
    output = io.BytesIO()
    image.save(output, format="ICO", sizes=[(16, 16), (32, 32), (48, 48), (64, 64)])
    return output.getvalue()


NOORD_MARK = [
    (16, 50),
    (16, 14),
    (24, 14),
    (40, 38),
    (40, 14),
    (48, 14),
    (48, 50),
    (40, 50),
    (24, 26),
    (24, 50),
]  # N
ZUID_MARK = [(32, 12), (52, 50), (12, 50)]  # the triangle of Zuid's logo

SETTINGS = {
    "noord": {
        "preferences": {
            "use_organisation_colours": False,
            "primary_colour": "#1a7f37",
            "secondary_colour": "#0969da",
            "support_email": "klantendienst@noord.localhost",
            "website": "https://www.warmtenet-noord.example",
            "support_phone": "+32 50 12 34 56",
            "advance_changes_allowed": True,
            "advance_range": "percentage",
            "advance_min_percentage": Decimal("80"),
            "advance_max_percentage": Decimal("150"),
            "cost_visualisation": True,
            "use_organisation_logo": False,
        },
        "logo": noord_logo,
        "favicon": lambda: favicon("#1a7f37", NOORD_MARK),
        "minimum_advance": Decimal("10.00"),
        "messages": [
            {
                "page": "overview",
                "kind": "warning",
                "bodies": {
                    "nl": "<p><strong>Werken aan het warmtenet</strong> in de Stationsstraat op 2 en 3 december: "
                    '<span style="color: #9a6700">korte onderbrekingen</span> mogelijk.</p>',
                    "en": "<p><strong>Works on the heat network</strong> in Stationsstraat on 2 and 3 December: "
                    '<span style="color: #9a6700">short interruptions</span> possible.</p>',
                    "fr": "<p><strong>Travaux sur le réseau de chaleur</strong> rue de la Gare les 2 et 3 décembre : "
                    '<span style="color: #9a6700">brèves interruptions</span> possibles.</p>',
                },
            },
            {
                "page": "login",
                "kind": "neutral",
                "bodies": {
                    "nl": '<p>Nieuw: bekijk uw verbruik per dag. <a href="https://www.warmtenet-noord.example">Meer info</a></p>',
                    "en": '<p>New: see your consumption per day. <a href="https://www.warmtenet-noord.example">More</a></p>',
                },
            },
        ],
    },
    "zuid": {
        "general": {"primary_colour": "#8250df", "secondary_colour": "#bf3989"},
        "preferences": {
            "use_organisation_colours": True,
            "use_organisation_logo": True,
            "support_email": "service@zuid.localhost",
            "website": "https://www.stadswarmte-zuid.example",
            "support_phone": "+32 2 555 01 23",
            "advance_changes_allowed": True,
            "advance_range": "fixed",
            "advance_fixed_amount": Decimal("20.00"),
        },
        "favicon": lambda: favicon("#8250df", ZUID_MARK),
        "minimum_advance": Decimal("25.00"),
        "messages": [
            {
                "page": "home",
                "kind": "important",
                "bodies": {
                    "fr": '<h3>Nouveaux tarifs au 1er janvier</h3><p>Consultez <a href="https://www.stadswarmte-zuid.example">notre site</a>.</p>',
                    "nl": '<h3>Nieuwe tarieven op 1 januari</h3><p>Zie <a href="https://www.stadswarmte-zuid.example">onze website</a>.</p>',
                    "en": '<h3>New tariffs from 1 January</h3><p>See <a href="https://www.stadswarmte-zuid.example">our website</a>.</p>',
                },
            }
        ],
    },
}


# How residents pay: noord uses the Belgian structured communication and a payment provider's page,
# zuid the ISO 11649 RF reference (bank transfer and QR code only).
PAYMENT = {
    "noord": {
        "creditor_name": "Warmtenet Noord",
        "iban": "BE71 0961 2345 6769",
        "bic": "GKCCBEBB",
        "reference_scheme": "be_structured",
        "provider_url_template": "https://pay.example.test/checkout?invoice={invoice_number}&amount={amount}&reference={reference}",
    },
    "zuid": {
        "creditor_name": "Stadswarmte Zuid",
        "iban": "NL91 ABNA 0417 1643 00",
        "reference_scheme": "rf_creditor",
    },
}


def seed_configuration(organisation, spec, report: list[str]) -> None:
    settings = SETTINGS.get(organisation.slug)
    if settings is None:
        return
    if "general" in settings:
        uploads = (
            {}
            if GeneralPreferences.objects.current().logo
            else {"logo": SimpleUploadedFile("logo.svg", ZUID_LOGO)}
        )
        services.update_general_preferences(changes=settings["general"], uploads=uploads)
    current = PortalPreferences.objects.current()
    uploads = {}
    if "logo" in settings and not current.logo:
        uploads["logo"] = SimpleUploadedFile("logo.png", settings["logo"]())
    if "favicon" in settings and not current.favicon:
        uploads["favicon"] = SimpleUploadedFile("favicon.ico", settings["favicon"]())
    services.update_portal_preferences(
        organisation=organisation, changes=settings["preferences"], uploads=uploads
    )
    services.update_billing_settings(minimum_advance_amount=settings["minimum_advance"])
    if organisation.slug in PAYMENT:
        services.update_payment_settings(changes=PAYMENT[organisation.slug])
    if not PageMessage.objects.exists():
        for message in settings["messages"]:
            services.save_page_message(message=None, values=message)
    report.append(
        f"branding   {settings['preferences'].get('primary_colour') or settings['general']['primary_colour']}, "
        f"{len(settings['messages'])} page message(s)"
    )
