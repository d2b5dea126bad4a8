"""What the staff console's moves and imports screens read: a move-out's detail, the import runs with
the rows they refused, and one meter's completeness."""

from __future__ import annotations

from datetime import timedelta

from django_tenants.utils import schema_context

from integration.importing import STORED_ERRORS, run_import
from memberships.models import StaffMembership
from tests.support.consumption_data import day_rows, ingest_rows
from tests.support.moves import TODAY, jpeg, staff_for, submit
from tests.support.staff import add_staff


def test_staff_read_one_move_out_with_readings_and_photos(home, client_for):
    created = submit(home, "1", "L1", TODAY, {"heat1": "321.5"})
    meter = home["meters"]["heat1"]
    photo = home["resident"].post(
        f"/api/portal/move-outs/{created['id']}/photos/",
        {"meter_id": meter, "photo": jpeg()},
        format="multipart",
    )
    assert photo.status_code == 201, photo.content
    staff = staff_for(client_for)
    response = staff.get(f"/api/admin/move-outs/{created['id']}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reference"] == f"MO-{created['id']:06d}"
    assert body["status"] == "submitted"
    assert [float(row["value"]) for row in body["readings"]] == [321.5]
    [shown] = body["photos"]
    assert shown["meter"] == meter
    image = staff.get(f"/api/admin/meter-photos/{shown['id']}/")
    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")
    # Another organisation's staff do not find it.
    other = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert other.get(f"/api/admin/move-outs/{created['id']}/").status_code == 404


def _refusing_import(count: int) -> dict:
    with schema_context("org_noord"):
        return run_import(
            payload={"customers": [{"external_id": f"broken-{n}"} for n in range(count)]},
            actor_email="billing@noord.test",
        )


def test_import_runs_list_filter_and_detail_with_the_refused_rows(noord, client_for):
    good = _refusing_import(0)
    bad = _refusing_import(2)
    staff = staff_for(client_for)
    listed = staff.get("/api/admin/integration/import-runs/")
    assert listed.status_code == 200, listed.content
    assert listed.json()["count"] >= 2
    assert "errors" not in listed.json()["results"][0]
    with_errors = staff.get("/api/admin/integration/import-runs/?has_errors=true").json()["results"]
    assert bad["run"] in [run["id"] for run in with_errors]
    assert good["run"] not in [run["id"] for run in with_errors]
    assert {run["status"] for run in with_errors} == {"with_errors"}
    ordered = staff.get("/api/admin/integration/import-runs/?ordering=-error_count").json()["results"]
    assert ordered[0]["id"] == bad["run"]
    detail = staff.get(f"/api/admin/integration/import-runs/{bad['run']}/").json()
    assert detail["error_count"] == 2
    assert [(row["entity"], row["index"], row["external_id"]) for row in detail["errors"]] == [
        ("customers", 0, "broken-0"),
        ("customers", 1, "broken-1"),
    ]
    assert all(row["errors"] for row in detail["errors"])
    refused = staff.get("/api/admin/integration/import-runs/?has_errors=maybe")
    assert (refused.status_code, list(refused.json())) == (400, ["code", "has_errors"])


def test_a_run_keeps_a_bounded_number_of_refused_rows(noord, client_for):
    bad = _refusing_import(STORED_ERRORS + 5)
    detail = staff_for(client_for).get(f"/api/admin/integration/import-runs/{bad['run']}/").json()
    assert detail["error_count"] == STORED_ERRORS + 5
    assert len(detail["errors"]) == STORED_ERRORS


def test_import_runs_are_for_administrators_only(noord, client_for):
    add_staff("support@noord.test", StaffMembership.Role.SUPPORT)
    support = staff_for(client_for, email="support@noord.test")
    assert support.get("/api/admin/integration/import-runs/").status_code == 403
    assert client_for("portal.noord.test").get("/api/admin/integration/import-runs/").status_code in (
        401,
        403,
    )


def test_gaps_of_one_meter(home, client_for):
    day = TODAY - timedelta(days=2)
    heat1 = home["data"]["meters"]["heat1"]
    assert ingest_rows(day_rows(heat1, day)).accepted == 96
    staff = staff_for(client_for)
    meter = home["meters"]["heat1"]
    query = f"start={day.isoformat()}&end={(day + timedelta(days=1)).isoformat()}"
    body = staff.get(f"/api/admin/consumption/gaps/?{query}&meter={meter}").json()
    [row] = body["results"]
    assert row["meter_id"] == meter
    assert row["incomplete_days"] == [(day + timedelta(days=1)).isoformat()]
    everything = staff.get(f"/api/admin/consumption/gaps/?{query}").json()
    assert everything["count"] > 1  # the other meters without data are there without the filter
    assert staff.get(f"/api/admin/consumption/gaps/?{query}&meter=999999").status_code == 400
