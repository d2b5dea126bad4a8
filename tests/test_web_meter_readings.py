"""The "Submit a meter reading" page through Django's test client: the resident's own meters that are
not read remotely, checks at entry next to the fields, a photo, the confirmation of a high value, and
the readings submitted (issue 19)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django_tenants.utils import schema_context

from consumption.models import Meter, SubmittedReading
from tests.support.consumption_data import BRUSSELS, day_rows, ingest_rows, organisation_today
from tests.support.moves import jpeg
from tests.support.web import field_errors, logged_in, page_client, text


def _register(meter: str, day: date, value: str) -> None:
    moment = datetime.combine(day, time(12), BRUSSELS).isoformat()
    assert (
        ingest_rows([{"meter": meter, "timestamp": moment, "kind": "register", "value": value}]).accepted == 1
    )


def _pk(external_id: str) -> int:
    with schema_context("org_noord"):
        return Meter.objects.get(external_id=external_id).pk


def test_submit_a_reading_from_the_page(metered_home):
    data, meters, _locations = metered_home
    _register(meters["heat1"], organisation_today() - timedelta(days=30), "1000")
    ingest_rows(day_rows(meters["heat2"], organisation_today() - timedelta(days=1)))  # read remotely
    client = logged_in(data)
    assert 'href="/meter-readings/"' in text(client.get("/consumption/"))
    page = text(client.get("/meter-readings/"))
    options = re.findall(r'<option value="(\d+)"', page)
    assert set(map(int, options)) == {_pk(meters["heat1"]), _pk(meters["cool2"])}
    assert "last reading 1000 kWh" in page
    heat1 = _pk(meters["heat1"])
    form = {"meter_id": heat1, "value": "990", "read_on": organisation_today().isoformat()}
    below = client.post("/meter-readings/", form)
    assert below.status_code == 200
    assert "below the last known reading" in field_errors(below, "id_value_error")
    high = client.post("/meter-readings/", {**form, "value": "90000"})
    assert "much more than we expect" in field_errors(high, "id_value_error")
    done = client.post("/meter-readings/", {**form, "value": "1012.5", "photo": jpeg()})
    assert done.status_code == 302, text(done)[:3000]
    listed = text(client.get("/meter-readings/"))
    assert "We received your reading (MR-" in listed
    assert "1012.5" in listed
    with schema_context("org_noord"):
        reading = SubmittedReading.objects.get(meter_id=heat1)
        assert reading.photo
        assert str(reading.value.normalize()) == "1012.5"
    link = f'<a href="/api/portal/meter-readings/{reading.pk}/photo/">Photo of {reading.reference}</a>'
    assert link in listed
    assert client.get(f"/api/portal/meter-readings/{reading.pk}/photo/")["Content-Type"] == "image/jpeg"


def test_a_confirmed_high_value_is_kept_with_its_warning(metered_home):
    data, meters, _locations = metered_home
    _register(meters["heat1"], organisation_today() - timedelta(days=30), "1000")
    client = logged_in(data)
    form = {
        "meter_id": _pk(meters["heat1"]),
        "value": "90000",
        "read_on": organisation_today().isoformat(),
        "confirmed": "on",
    }
    assert client.post("/meter-readings/", form).status_code == 302
    with schema_context("org_noord"):
        assert "much more than we expect" in SubmittedReading.objects.get().warning


def test_the_page_needs_a_login(db):
    response = page_client().get("/meter-readings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
