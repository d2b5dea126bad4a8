"""Staff console, screen 4: the move-in and move-out queues, through Chromium, checked where it shows.

A submitted move-in appears in the queue with its reading and meter photo; approving it creates the
customer and the applicant's portal invitation arrives by email; rejecting without a reason shows
the API's error beside the field (keyboard only), with a reason it is rejected; a move-out for a
day to come is scheduled, then cancelled with a reason; support members see no decisions and the
API refuses them anyway. Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.support.common import wait_until
from tests.support.console import database

pytestmark = pytest.mark.browser


def _move_in(organisation, location, meters: list[int], *, name: str, photo: bool) -> int:
    """A complete move-in submitted by a newcomer (the wizard's services), optionally with a photo."""
    from moves import move_in
    from tests.support.sweep_data import jpeg_upload

    steps = {
        1: {"location_id": location.pk},
        2: {"move_in_date": (date.today() - timedelta(days=2)).isoformat()},
        3: {"kind": "person", "first_name": name, "last_name": "Newcomer"},
        4: {
            "email": f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.test",
            "phone": "+32 470 11 22 33",
            "language": "en",
        },
        5: {"readings": [{"meter_id": meter, "value": "1234.5"} for meter in meters]},
        6: {
            "billing_preference": "email",
            "payment_method": "direct_debit",
            "iban": "BE71 0961 2345 6769",
            "account_holder": f"{name} Newcomer",
            "direct_debit_consent": True,
        },
        7: {"accept_terms": True, "accept_privacy": True},
    }
    draft = move_in.start_draft(language="en")
    for number, data in steps.items():
        move_in.save_step(key=draft.key, number=number, data=data, organisation=organisation)
    if photo:
        move_in.add_photo(key=draft.key, meter_id=meters[0], upload=jpeg_upload())
    return move_in.submit(key=draft.key, organisation=organisation).request.pk


@pytest.fixture(scope="module")
def moves_world(console_org, django_db_blocker):
    """Two submitted move-ins at the customer's first address and the customer's move-out."""
    from consumption.models import Meter
    from contracts.models import ContractLocation
    from customers.models import Customer
    from moves import move_out
    from tests.support.billing_data import billing_customer
    from tests.support.consumption_data import add_meters

    schema, organisation = console_org.schema_name, console_org.organisation
    with database(django_db_blocker, "public"):
        data = billing_customer(schema)
        add_meters(data, schema)
    with database(django_db_blocker, schema):
        row = ContractLocation.objects.select_related("location").get(
            contract__customer__customer_number=data["number"], location__external_id=f"{data['ext']}-L1"
        )
        meters = list(Meter.objects.filter(location=row.location).order_by("pk").values_list("pk", flat=True))
        to_approve = _move_in(organisation, row.location, meters, name="Amber", photo=True)
        to_reject = _move_in(organisation, row.location, meters, name="Basil", photo=False)
        covered = list(move_out.covered_meters(row).values_list("pk", flat=True))
        leaving = move_out.submit_move_out(
            customer=Customer.objects.get(customer_number=data["number"]),
            organisation=organisation,
            data={
                "contract_id": row.contract_id,
                "location_id": row.location_id,
                "move_out_date": (date.today() + timedelta(days=10)).isoformat(),
                "readings": [{"meter_id": meter, "value": "2000"} for meter in covered],
                "forwarding_address": {
                    "street": "Nieuwstraat",
                    "house_number": "5",
                    "postal_code": "2000",
                    "city": "Antwerpen",
                },
            },
        )
    return {"approve": to_approve, "reject": to_reject, "move_out": leaving.pk, "customer": data}


def chip(page, status: str):
    """The status chip of the shown move (a field label may carry the same word)."""
    return page.locator(".MuiChip-label", has_text=re.compile(f"^{status}$"))


def _status(console, model: str, pk: int) -> str:
    from moves.models import MoveInRequest, MoveOutRequest

    with console.db():
        return {"in": MoveInRequest, "out": MoveOutRequest}[model].objects.get(pk=pk).status


def test_a_submitted_move_in_is_in_the_queue_and_approving_it_sends_the_invitation(
    console_org, moves_world, staff_console, smtp, celery_worker
):
    from moves.models import MoveInRequest

    console = staff_console()
    console.go("login")  # the module's first page load starts the server's workers
    expect(console.page.get_by_label("Email address")).to_be_visible(timeout=30_000)
    console.log_in(console_org.admin_email)
    page = console.page
    console.go("move-ins")
    page.get_by_label("Status").click()
    page.get_by_role("option", name="Submitted", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Amber Newcomer"))
    expect(row).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Basil Newcomer"))).to_be_visible()
    console.shot("moves-move-in-list")
    console.axe()

    row.click()
    reference = f"MI-{moves_world['approve']:06d}"
    expect(page.get_by_text(reference, exact=True)).to_be_visible()
    photo = page.get_by_role("img", name=re.compile("^Photo of meter"))
    expect(photo).to_be_visible()
    # The photo comes through the authenticated admin endpoint and really loads.
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    expect(page.get_by_role("cell", name=re.compile(r"^1234\.50* "))).to_be_visible()
    console.shot("moves-move-in-show")
    console.axe()

    page.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Confirm").click()
    expect(chip(page, "Approved")).to_be_visible()
    assert _status(console, "in", moves_world["approve"]) == "approved"
    with console.db():
        applicant = MoveInRequest.objects.get(pk=moves_world["approve"]).email
    # The applicant had the submission's confirmation; the approval sends the portal invitation.
    wait_until(lambda: any("/activate/" in mail.text for mail in smtp.to(applicant)), timeout=30)


def test_rejecting_without_a_reason_shows_the_error_beside_the_field(console_org, moves_world, staff_console):
    from moves.models import MoveInRequest

    console = staff_console(email=console_org.admin_email)
    page = console.page
    console.go(f"move-ins/{moves_world['reject']}/show")
    expect(page.get_by_text(f"MI-{moves_world['reject']:06d}", exact=True)).to_be_visible()
    page.get_by_role("button", name="Reject").click()
    reason = page.get_by_label("Reason (the resident receives it)")
    expect(reason).to_be_focused()  # the dialog opens on its one field
    # Keyboard only: Tab past Cancel to the dialog's Reject button, Enter.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    error = page.get_by_text("Say why the request is rejected; the applicant receives it.")
    expect(error).to_be_visible()
    # Beside its field: the field is marked invalid and described by that message.
    expect(reason).to_have_attribute("aria-invalid", "true")
    described = reason.get_attribute("aria-describedby")
    assert described
    assert page.locator(f"#{described}").inner_text().startswith("Say why the request")
    console.shot("moves-reject-reason-error")
    console.axe()
    assert _status(console, "in", moves_world["reject"]) == "submitted"

    reason.fill("The address is not supplied by us.")
    page.get_by_role("dialog").get_by_role("button", name="Reject").click()
    expect(chip(page, "Rejected")).to_be_visible()
    with console.db():
        rejected = MoveInRequest.objects.get(pk=moves_world["reject"])
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "The address is not supplied by us.")


def test_a_move_out_is_scheduled_then_cancelled_with_a_reason(console_org, moves_world, staff_console):
    from moves.models import MoveOutRequest

    console = staff_console(email=console_org.admin_email)
    page = console.page
    console.go("move-outs")
    reference = f"MO-{moves_world['move_out']:06d}"
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_be_visible()
    console.shot("moves-move-out-list")
    console.axe()
    row.click()
    expect(page.get_by_text("Nieuwstraat 5, 2000 Antwerpen", exact=False)).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"^2000(\.0+)?"))).to_be_visible()
    page.get_by_role("button", name="Schedule").click()
    page.get_by_role("button", name="Confirm").click()
    expect(chip(page, "Scheduled")).to_be_visible()
    assert _status(console, "out", moves_world["move_out"]) == "scheduled"
    console.shot("moves-move-out-scheduled")
    console.axe()

    page.get_by_role("button", name="Cancel move-out").click()
    page.get_by_label("Reason (the resident receives it)").fill("The resident stays after all.")
    page.get_by_role("dialog").get_by_role("button", name="Cancel move-out").click()
    expect(chip(page, "Cancelled")).to_be_visible()
    with console.db():
        cancelled = MoveOutRequest.objects.select_related("contract_location").get(pk=moves_world["move_out"])
    assert cancelled.status == "cancelled"
    assert cancelled.cancellation_reason == "The resident stays after all."
    assert cancelled.contract_location.move_out_date is None  # the scheduled date went again


def test_support_members_see_no_decisions_and_the_api_refuses_them(console_org, moves_world, staff_console):
    console = staff_console(email=console_org.support_email)
    page = console.page
    console.go(f"move-outs/{moves_world['move_out']}/show")
    expect(page.get_by_text(f"MO-{moves_world['move_out']:06d}", exact=True)).to_be_visible()
    for name in ("Schedule", "Process", "Reject", "Cancel move-out", "Approve"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    refused = console.api(f"/api/admin/move-ins/{moves_world['reject']}/reject/", "POST", {"reason": "x"})
    assert refused["status"] == 403


def test_the_queue_is_usable_on_a_phone(console_org, moves_world, staff_console):
    console = staff_console(email=console_org.admin_email, width=375)
    console.go("move-ins")
    expect(console.page.get_by_text(re.compile(r"MI-\d{6} · Amber Newcomer"))).to_be_visible()
    console.shot("moves-move-in-list-phone")
    console.axe()
