"""Move-in and move-out flows: sites, steps, submissions, staff clients."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from consumption.models import Meter
from contracts.models import ContractLocation
from moves import move_in
from moves.models import MoveInRequest
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters
from tests.support.residents import resident_client
from tests.support.staff import as_staff_client

BRUSSELS = ZoneInfo("Europe/Brussels")


TODAY = datetime.now(BRUSSELS).date()  # the organisations' calendar


def make_site(client_for) -> dict:
    """A customer with meters at two locations; the move-in goes to L1 (Main street 1)."""
    data = billing_customer()
    data["meters"] = add_meters(data)
    with schema_context("org_noord"):
        location = ContractLocation.objects.get(
            contract__number__endswith="-1",
            location__street="Main street",
            contract__customer__customer_number=data["number"],
        ).location
        meters = list(Meter.objects.filter(location=location).order_by("pk").values_list("pk", flat=True))
    return {"data": data, "location": location, "meters": meters, "client": client_for("portal.noord.test")}


@pytest.fixture
def site(db, client_for):
    return make_site(client_for)


def jpeg(size=(40, 30), extra=0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 120, 120)).save(buffer, format="JPEG")
    return SimpleUploadedFile("meter.jpg", buffer.getvalue() + b"\0" * extra)


def good_steps(site) -> dict[int, dict]:
    return {
        1: {"location_id": site["location"].pk},
        2: {"move_in_date": (TODAY - timedelta(days=3)).isoformat()},
        3: {"kind": "person", "first_name": "Nina", "last_name": "Nieuw"},
        4: {"email": "nina@example.test", "phone": "+32 470 11 22 33", "language": "nl"},
        5: {"readings": [{"meter_id": meter, "value": "1234.5"} for meter in site["meters"]]},
        6: {
            "billing_preference": "email",
            "payment_method": "direct_debit",
            "iban": "BE71 0961 2345 6769",
            "account_holder": "Nina Nieuw",
            "direct_debit_consent": True,
        },
        7: {"accept_terms": True, "accept_privacy": True},
    }


def start(client) -> str:
    response = client.post("/api/moves/move-in/", {"language": "nl"}, format="json")
    assert response.status_code == 201
    return response.json()["key"]


def put(client, key, number, data):
    return client.put(f"/api/moves/move-in/{key}/steps/{number}/", data, format="json")


def complete(site) -> str:
    client = site["client"]
    key = start(client)
    for number, data in good_steps(site).items():
        response = put(client, key, number, data)
        assert response.status_code == 200, (number, response.content)
    return key


def staff_for(client_for, host="portal.noord.test", email="admin@noord.test"):
    return as_staff_client(client_for(host), email)


def submitted(site, changes: dict | None = None) -> int:
    """A submitted move-in (steps replaced by ``changes``, per step number); returns its id."""
    client = site["client"]
    key = start(client)
    for number, data in {**good_steps(site), **(changes or {})}.items():
        response = put(client, key, number, data)
        assert response.status_code == 200, (number, response.content)
    assert client.post(f"/api/moves/move-in/{key}/submit/").status_code == 201
    with schema_context("org_noord"):
        return MoveInRequest.objects.get(key_hash=move_in._hash(key)).pk


@pytest.fixture
def home(db, client_for):
    """A resident with K1 (L1 heating + hot water, L2 heating) and K2 (L2 cooling)."""
    data = billing_customer()
    data["meters"] = add_meters(data)
    with schema_context("org_noord"):
        rows = {
            (row.contract.number[-1], row.location.external_id[-2:]): row
            for row in ContractLocation.objects.filter(
                contract__customer__customer_number=data["number"]
            ).select_related("contract", "location")
        }
        meters = {key: Meter.objects.get(external_id=ext).pk for key, ext in data["meters"].items()}
    return {"data": data, "rows": rows, "meters": meters, "resident": resident_client(client_for, data)}


def payload(home, contract: str, location: str, day, values: dict[str, str], **changes) -> dict:
    row = home["rows"][(contract, location)]
    body = {
        "contract_id": row.contract_id,
        "location_id": row.location_id,
        "move_out_date": day.isoformat(),
        "readings": [{"meter_id": home["meters"][name], "value": value} for name, value in values.items()],
        "forwarding_address": {
            "street": "Nieuwstraat",
            "house_number": "5",
            "postal_code": "2000",
            "city": "Antwerpen",
        },
    }
    body.update(changes)
    return body


def submit(home, *args, **kwargs) -> dict:
    response = home["resident"].post("/api/portal/move-outs/", payload(home, *args, **kwargs), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def process(client_for, request_id):
    return staff_for(client_for).post(f"/api/admin/move-outs/{request_id}/process/")
