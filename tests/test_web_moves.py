"""Move-in wizard and move-out form through Django's test client: photos, decimal commas,
countries, the resume link, and redirects that stay on the portal."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from communications.models import OutboundEmail
from consumption.models import Meter
from contracts.models import ContractLocation
from moves.models import MoveInRequest, MoveOutRequest
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters
from tests.support.factories import import_address_with_meter, last_link
from tests.support.web import field_errors, logged_in, make_resident, page_client, text


def _png(name: str = "meter.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("meter.jpg", b"this is not an image at all", content_type="image/jpeg")


@pytest.fixture
def leaving(db):
    """A resident with meters at their first address, logged in, and the contract row to leave."""
    data = billing_customer()
    add_meters(data)
    make_resident(data)
    with schema_context("org_noord"):
        row = ContractLocation.objects.get(
            contract__number=f"K-{data['number'][2:]}-1", location__street="Main street"
        )
        meters = list(
            Meter.objects.filter(location_id=row.location_id, active=True, service__code__in=row.services)
        )
    assert meters
    return data, logged_in(data), row, meters


def _move_out_post(row, meters, **extra) -> dict:
    return {
        "row": row.pk,
        "move_out_date": date.today().isoformat(),
        "street": "Rue Neuve",
        "house_number": "3",
        "postal_code": "75001",
        "city": "Paris",
        "country": "FR",
        **{f"reading_{meter.pk}": "1234,5" for meter in meters},
        **extra,
    }


def test_a_move_out_with_a_photo_that_is_not_an_image_keeps_nothing_and_says_so_at_the_meter(leaving):
    data, client, row, meters = leaving
    response = client.post(
        "/move-out/", _move_out_post(row, meters, **{f"photo_{meters[0].pk}": _not_an_image()})
    )
    assert response.status_code == 200
    assert "Upload a JPEG, PNG or WebP photo." in field_errors(response, f"photo_{meters[0].pk}-errors")
    assert f'aria-describedby="photo_{meters[0].pk}-errors"' in text(response)
    with schema_context("org_noord"):
        assert not MoveOutRequest.objects.filter(customer__customer_number=data["number"]).exists()
        assert not OutboundEmail.objects.filter(to=data["email"], template="move_out_submitted").exists()
    # What was typed is still there to correct.
    assert 'value="Rue Neuve"' in text(response)
    assert f'name="reading_{meters[0].pk}" inputmode="decimal" value="1234,5"' in text(response)


def test_a_move_out_takes_decimal_commas_a_photo_and_a_foreign_forwarding_address(leaving):
    data, client, row, meters = leaving
    page = text(client.get(f"/move-out/?row={row.pk}"))
    # The forwarding address's country defaults to the address being left.
    assert re.search(r'<option value="BE" selected>Belgium</option>', page)
    response = client.post("/move-out/", _move_out_post(row, meters, **{f"photo_{meters[0].pk}": _png()}))
    assert response.status_code == 302, text(response)[:3000]
    with schema_context("org_noord"):
        request = MoveOutRequest.objects.get(customer__customer_number=data["number"])
        assert [reading["value"] for reading in request.readings] == ["1234.500"] * len(meters)
        assert request.forwarding_address["country"] == "FR"
        assert request.forwarding_address["city"] == "Paris"
        assert request.photos.count() == 1
        assert OutboundEmail.objects.filter(to=data["email"], template="move_out_submitted").count() == 1


def test_a_move_out_reading_that_is_not_a_number_is_marked_at_its_meter(leaving):
    data, client, row, meters = leaving
    response = client.post("/move-out/", _move_out_post(row, meters, **{f"reading_{meters[0].pk}": "lots"}))
    assert response.status_code == 200
    assert "A valid number is required." in field_errors(response, f"reading_{meters[0].pk}-errors")
    bad_address = client.post("/move-out/", _move_out_post(row, meters, city="", country="France"))
    assert "This field may not be blank." in field_errors(bad_address, "city-errors")
    assert field_errors(bad_address, "country-errors")
    with schema_context("org_noord"):
        assert not MoveOutRequest.objects.filter(customer__customer_number=data["number"]).exists()


def test_another_residents_address_cannot_be_moved_out_of(leaving):
    _data, _client, row, meters = leaving
    other = billing_customer()
    make_resident(other)
    response = logged_in(other).post("/move-out/", _move_out_post(row, meters))
    assert response.status_code == 200
    assert "Which address are you leaving?" in text(response)  # their own choice, not this row
    with schema_context("org_noord"):
        assert not MoveOutRequest.objects.exists()


# -- move-in ------------------------------------------------------------------------------------


@pytest.fixture
def new_address(db):
    with schema_context("org_noord"):
        street = import_address_with_meter("Zonnelaan", "MI-1")
        meter = Meter.objects.get(external_id=f"{street}-m")
    return meter


def _through_step_four(client, meter, email: str) -> None:
    assert client.post("/move-in/")["Location"] == "/move-in/step/1/"
    assert (
        client.post("/move-in/step/1/", {"location_id": meter.location_id})["Location"] == "/move-in/step/2/"
    )
    today = date.today().isoformat()
    assert client.post("/move-in/step/2/", {"move_in_date": today})["Location"] == "/move-in/step/3/"
    step3 = {"kind": "person", "first_name": "Mo", "last_name": "Ver"}
    assert client.post("/move-in/step/3/", step3)["Location"] == "/move-in/step/4/"
    assert (
        client.post("/move-in/step/4/", {"email": email, "language": "en"})["Location"] == "/move-in/step/5/"
    )


def test_move_in_readings_take_a_decimal_comma_and_a_bad_photo_saves_nothing(new_address):
    meter, client = new_address, page_client()
    _through_step_four(client, meter, "mover-web@example.test")
    refused = client.post(
        "/move-in/step/5/", {f"reading_{meter.pk}": "1234,5", f"photo_{meter.pk}": _not_an_image()}
    )
    assert refused.status_code == 200
    assert "Upload a JPEG, PNG or WebP photo." in field_errors(refused, f"photo_{meter.pk}-errors")
    with schema_context("org_noord"):
        draft = MoveInRequest.objects.get(email="mover-web@example.test")
        assert "5" not in draft.steps
        assert draft.photos.count() == 0
    saved = client.post("/move-in/step/5/", {f"reading_{meter.pk}": "1.234,5", f"photo_{meter.pk}": _png()})
    assert saved["Location"] == "/move-in/step/6/"
    with schema_context("org_noord"):
        draft.refresh_from_db()
        assert draft.steps["5"]["readings"] == [{"meter_id": meter.pk, "value": "1234.500"}]
        assert draft.photos.count() == 1
    wrong = client.post("/move-in/step/5/", {f"reading_{meter.pk}": "-3"})
    assert "greater than or equal to 0" in field_errors(wrong, f"reading_{meter.pk}-errors")


def test_the_review_shows_dates_and_readings_in_the_language_and_links_the_terms(new_address):
    meter, client = new_address, page_client()
    _through_step_four(client, meter, "reviewer-web@example.test")
    client.post("/move-in/step/5/", {f"reading_{meter.pk}": "1234,5"})
    client.post("/move-in/step/6/", {"billing_preference": "email", "payment_method": "transfer"})
    review = text(client.get("/move-in/step/7/"))
    assert date.today().strftime("%d/%m/%Y") in review
    assert date.today().isoformat() not in review.split('<dl class="facts review">')[1].split("</dl>")[0]
    assert "1,234.500" in review
    assert re.search(
        r'<a href="/terms/" target="_blank" rel="noopener">Read the terms and conditions', review
    )
    assert re.search(r'<a href="/privacy/" target="_blank" rel="noopener">Read the privacy statement', review)
    terms = text(page_client().get("/terms/"))
    assert "<h1>Terms and conditions</h1>" in terms
    assert "Warmtenet Noord checks your request and confirms your contract by email." in terms
    privacy = text(page_client().get("/privacy/"))
    assert "<h1>Privacy statement</h1>" in privacy
    assert "Meter photos are stored without their location and other hidden data." in privacy
    dutch = text(page_client(language="nl").get("/move-in/"))
    assert '<html lang="nl">' in dutch


def test_the_resume_link_opens_the_draft_in_another_browser_once(new_address):
    meter, client = new_address, page_client()
    _through_step_four(client, meter, "resumer-web@example.test")
    token = last_link("org_noord", "resumer-web@example.test", "move_in_resume", "/move-in/resume/")
    other = page_client()
    assert "Continue my move-in" in text(other.get(f"/move-in/resume/{token}"))
    assert other.post(f"/move-in/resume/{token}")["Location"] == "/move-in/step/5/"
    assert 'name="reading_' in text(other.get("/move-in/step/5/"))
    used = other.post(f"/move-in/resume/{token}")
    assert "This link cannot be used" in text(used)
    assert 'role="alert"' in text(used)
    # The first browser's key stopped working when the link was used.
    assert client.get("/move-in/step/5/")["Location"] == "/move-in/"


@pytest.mark.parametrize(
    "back", ["https://evil.example/", "//evil.example/path", "http://portal.noord.test.evil.example/"]
)
def test_finish_later_never_sends_the_visitor_off_the_portal(new_address, back):
    meter, client = new_address, page_client()
    _through_step_four(client, meter, "later-web@example.test")
    response = client.post("/move-in/send-link/", {"back": back})
    assert response.status_code == 302
    assert response["Location"] == "/move-in/"
    kept = client.post("/move-in/send-link/", {"back": "/move-in/step/5/"})
    assert kept["Location"] == "/move-in/step/5/"


def test_the_move_out_page_shows_a_scheduled_move_out_and_when_it_completes(leaving):
    from datetime import timedelta

    from moves import move_out
    from tenants.models import Organisation

    data, client, row, meters = leaving
    day = date.today() + timedelta(days=12)
    response = client.post("/move-out/", _move_out_post(row, meters, move_out_date=day.isoformat()))
    assert response.status_code == 302, text(response)[:3000]
    with schema_context("org_noord"):
        request = MoveOutRequest.objects.get(customer__customer_number=data["number"])
        organisation = Organisation.objects.get(schema_name="org_noord")
        move_out.process(request=request, organisation=organisation, staff_user=None)
    page = text(client.get("/move-out/"))
    assert '<span class="badge scheduled">Scheduled</span>' in page
    completes = (day + timedelta(days=1)).strftime("%d/%m/%Y")
    assert (
        f"Confirmed. On {completes} we record your final readings, end your contract at this address "
        "and prepare your final invoice."
    ) in page
    with schema_context("org_noord"):
        move_out.cancel(
            request=request, organisation=organisation, staff_user=None, reason="Sold the house late"
        )
    page = text(client.get("/move-out/"))
    assert '<span class="badge cancelled">Cancelled</span>' in page
    assert "Cancelled by customer service: Sold the house late" in page
    assert "Confirmed. On" not in page
    assert "Main street" in page.split("Which address are you leaving?")[1]  # it can be reported again


def _hidden_fields(body: str, action: str) -> dict[str, str]:
    """What the browser sends from the page's POST form to ``action``: its hidden inputs."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', body, re.S).group(0)
    return {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
        if name != "csrfmiddlewaretoken"
    }


def test_next_without_an_address_marks_the_list_and_keeps_it(new_address):
    """Step 1: pressing Next without choosing keeps the search results and marks them with the error."""
    meter, client = new_address, page_client()
    client.post("/move-in/")
    with schema_context("org_noord"):
        street = meter.location.street
    found = client.get("/move-in/step/1/", {"q": street})
    assert f'name="location_id" value="{meter.location_id}"' in text(found)
    refused = client.post("/move-in/step/1/", _hidden_fields(text(found), "/move-in/step/1/"))
    assert refused.status_code == 200
    body = text(refused)
    assert "Please correct what is marked below." in body
    assert "Choose your new address from the list." in field_errors(refused, "location_id-errors")
    assert re.search(r'<fieldset class="field has-error"[^>]*aria-describedby="location_id-errors"', body)
    assert f'name="location_id" value="{meter.location_id}"' in body  # the list is still there
    assert f'value="{street}"' in body  # and the search that found it
    chosen = client.post(
        "/move-in/step/1/", {**_hidden_fields(body, "/move-in/step/1/"), "location_id": meter.location_id}
    )
    assert chosen["Location"] == "/move-in/step/2/"


def test_next_without_searching_says_what_to_do(new_address):
    client = page_client()
    client.post("/move-in/")
    refused = client.post("/move-in/step/1/", {})
    assert refused.status_code == 200
    assert "Choose your new address from the list." in field_errors(refused, "location_id-errors")


# -- readings checked at entry, and sent back to correct (issue 15) ----------------------------------


def _register(meter, day, value: str, hour: int = 12) -> None:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from tests.support.consumption_data import ingest_rows

    moment = datetime.combine(day, time(hour), ZoneInfo("Europe/Brussels")).isoformat()
    rows = [{"meter": meter.external_id, "timestamp": moment, "kind": "register", "value": value}]
    assert ingest_rows(rows).accepted == 1


def _organisation():
    from tenants.models import Organisation

    return Organisation.objects.get(schema_name="org_noord")


def test_a_move_in_reading_below_the_last_known_one_is_marked_at_its_meter(new_address):
    from datetime import timedelta

    meter, client = new_address, page_client()
    stored_on = date.today() - timedelta(days=10)
    _register(meter, stored_on, "30926")
    _through_step_four(client, meter, "low-reader@example.test")
    refused = client.post("/move-in/step/5/", {f"reading_{meter.pk}": "1234,5"})
    assert refused.status_code == 200
    assert (
        f"This is below the last known reading of this meter: 30,926 kWh on {stored_on:%d/%m/%Y}."
        in field_errors(refused, f"reading_{meter.pk}-errors")
    )
    assert f'aria-describedby="reading_{meter.pk}-errors"' in text(refused)
    assert (
        client.post("/move-in/step/5/", {f"reading_{meter.pk}": "30.930,5"})["Location"] == "/move-in/step/6/"
    )


def test_a_move_in_sent_back_for_a_correction_is_corrected_on_its_pages(new_address):
    from datetime import timedelta

    from moves import approval
    from moves.readings import ReadingsRefused

    meter, client = new_address, page_client()
    _through_step_four(client, meter, "corrector@example.test")
    client.post("/move-in/step/5/", {f"reading_{meter.pk}": "1234,5"})
    client.post("/move-in/step/6/", {"billing_preference": "email", "payment_method": "transfer"})
    submitted = client.post("/move-in/step/7/", {"accept_terms": "on", "accept_privacy": "on"})
    assert submitted["Location"] == "/move-in/done/"
    yesterday = date.today() - timedelta(days=1)
    _register(meter, yesterday, "5000")  # the billing system sent it since
    with schema_context("org_noord"):
        request = MoveInRequest.objects.get(email="corrector@example.test")
        with pytest.raises(ReadingsRefused):
            approval.approve(request=request, organisation=_organisation(), staff_user=None)
    reason = f"This is below the last known reading of this meter: 5,000 kWh on {yesterday:%d/%m/%Y}."
    done = text(client.get("/move-in/done/"))
    assert "Please check a meter reading" in done
    assert reason in done
    assert 'href="/move-in/step/5/"' in done
    page = client.get("/move-in/step/5/")
    assert page.status_code == 200
    assert reason in field_errors(page, f"reading_{meter.pk}-errors")
    assert client.get("/move-in/step/3/")["Location"] == "/move-in/done/"  # only the readings change
    low = client.post("/move-in/step/5/", {f"reading_{meter.pk}": "4000"})
    assert reason in field_errors(low, f"reading_{meter.pk}-errors")
    corrected = client.post("/move-in/step/5/", {f"reading_{meter.pk}": "5012,5"})
    assert corrected["Location"] == "/move-in/done/"
    with schema_context("org_noord"):
        request.refresh_from_db()
        assert (request.status, request.readings_refused) == ("submitted", [])
        assert request.steps["5"]["readings"] == [{"meter_id": meter.pk, "value": "5012.500"}]
    assert "Thank you: we received your move-in" in text(client.get("/move-in/done/"))


def test_the_correction_link_opens_the_readings_in_another_browser(new_address):
    from datetime import timedelta

    from moves import approval
    from moves.readings import ReadingsRefused

    meter, client = new_address, page_client()
    _through_step_four(client, meter, "linked@example.test")
    client.post("/move-in/step/5/", {f"reading_{meter.pk}": "1234,5"})
    client.post("/move-in/step/6/", {"billing_preference": "email", "payment_method": "transfer"})
    client.post("/move-in/step/7/", {"accept_terms": "on", "accept_privacy": "on"})
    _register(meter, date.today() - timedelta(days=1), "5000")
    with schema_context("org_noord"):
        request = MoveInRequest.objects.get(email="linked@example.test")
        with pytest.raises(ReadingsRefused):
            approval.approve(request=request, organisation=_organisation(), staff_user=None)
    token = last_link("org_noord", "linked@example.test", "move_in_reading_correction", "/move-in/resume/")
    other = page_client()
    assert other.post(f"/move-in/resume/{token}")["Location"] == "/move-in/step/5/"
    assert other.post("/move-in/step/5/", {f"reading_{meter.pk}": "5001"})["Location"] == "/move-in/done/"


def test_a_move_out_sent_back_for_a_correction_is_corrected_on_the_move_out_page(leaving):
    from datetime import timedelta

    from moves import move_out
    from moves.readings import ReadingsRefused

    data, client, row, meters = leaving
    day = date.today() - timedelta(days=2)
    response = client.post("/move-out/", _move_out_post(row, meters, move_out_date=day.isoformat()))
    assert response.status_code == 302, text(response)[:3000]
    for meter in meters:
        _register(meter, day, "5000", hour=6)
    with schema_context("org_noord"):
        request = MoveOutRequest.objects.get(customer__customer_number=data["number"])
        with pytest.raises(ReadingsRefused):
            move_out.process(request=request, organisation=_organisation(), staff_user=None)
    page = client.get("/move-out/")
    body = text(page)
    assert '<span class="badge correction">Reading to correct</span>' in body
    reason = f"This is below the last known reading of this meter: 5,000 kWh on {day:%d/%m/%Y}."
    meter = meters[0]
    field = f"correct_{request.pk}_{meter.pk}"
    assert reason in field_errors(page, f"{field}-errors")
    assert f'<form method="post" action="/move-out/{request.pk}/readings/"' in body
    post = {f"reading_{m.pk}": "5040" for m in meters}
    low = client.post(f"/move-out/{request.pk}/readings/", {**post, f"reading_{meter.pk}": "100"})
    assert low.status_code == 200
    assert reason in field_errors(low, f"{field}-errors")
    assert f'id="{field}" name="reading_{meter.pk}" inputmode="decimal" value="100"' in text(low)
    done = client.post(f"/move-out/{request.pk}/readings/", post)
    assert done["Location"] == "/move-out/"
    with schema_context("org_noord"):
        request.refresh_from_db()
        assert request.status == "submitted"
        assert {reading["value"] for reading in request.readings} == {"5040.000"}
    page = text(client.get("/move-out/"))
    assert "We received your corrected reading." in page
    assert f'action="/move-out/{request.pk}/readings/"' not in page
