"""An email as it will be sent, before it is saved: for the staff console's live preview.

The preview goes through the very rendering a sent email goes through (``render_email`` with the
organisation's branding and its wording as an override), so staff see what residents will get:
the restricted template language, the sanitiser and the branded layout. Only the values are
samples, since no real resident is behind a preview.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.errors import FieldErrors

from .branding import email_branding
from .catalogue import CATALOGUE
from .models import EmailTemplate
from .rendering import RenderedEmail, UnsafeTemplate, compile_restricted, render_email

# Values that read the same in every language: names, numbers, addresses, amounts.
_SAMPLES: dict[str, object] = {
    "customer_name": "Jan Peeters",
    "name": "Jan Peeters",
    "customer_number": "100234",
    "contract_number": "C-2026-0117",
    "reference": "MI-2026-0042",
    "address": "Stationsstraat 12, 9000 Gent",
    "login_email": "jan.peeters@example.com",
    "new_email": "jan.peeters@example.com",
    "subject": "…",
    "message": "…",
    "reason": "…",
    "readings": "…",
    "kind": "…",
    "role": "…",
    "amount": "85.00",
    "previous_amount": "75.00",
    "currency": "EUR",
    "closed": False,
    "can_reply": True,
    "has_attachment": False,
    "existing_identity": False,
    "identity_kept": False,
}


def sample_context(*, key: str, portal_url: str) -> dict:
    """A plausible value for every variable the email knows: links to the portal, dates ahead."""
    now = timezone.now()
    context: dict[str, object] = {}
    for name in CATALOGUE[key].variables:
        if name.endswith("_url"):
            context[name] = f"{portal_url}/…"
        elif name.endswith("_at"):
            context[name] = now + timedelta(days=7)
        elif name.endswith("_date"):
            context[name] = (now + timedelta(days=14)).date()
        else:
            context[name] = _SAMPLES.get(name, "…")
    return context


def preview_email(
    *, organisation, key: str, language: str, subject: str, body_text: str, body_html: str = ""
) -> RenderedEmail:
    """Render unsaved wording as it would be sent; a template that may not be used is a field error."""
    errors = FieldErrors()
    for name, source in (("subject", subject), ("body_text", body_text), ("body_html", body_html)):
        try:
            compile_restricted(source, field=name)
        except UnsafeTemplate as exc:
            errors.add(name, exc.message, exc.code)
    errors.raise_if_any()
    branding = email_branding(organisation)
    draft = EmailTemplate(
        template=key, language=language, subject=subject, body_text=body_text, body_html=body_html
    )
    return render_email(
        template=key,
        language=language,
        context={**branding, **sample_context(key=key, portal_url=branding["portal_url"])},
        time_zone=organisation.time_zone,
        override=draft,
    )
