"""PUT replaces all preferences (every setting must be sent); PATCH changes only what it sends."""

from __future__ import annotations

import pytest

from staff_api.configuration.serializers import GeneralPreferencesSerializer, PortalPreferencesSerializer
from tests.support.configuration import (
    FULL_PREFERENCES,
    GENERAL,
    PREFS,
    as_staff,
    configuration_state,
    image_file,
)

REQUIRED = ["This field is required."]


def test_put_without_fields_is_refused_naming_every_missing_setting(noord_client):
    staff = as_staff(noord_client)
    before = configuration_state("org_noord")
    response = staff.put(PREFS, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        **dict.fromkeys(PortalPreferencesSerializer.PUT_REQUIRED, REQUIRED),
    }
    assert set(PortalPreferencesSerializer.PUT_REQUIRED) == set(FULL_PREFERENCES)
    general = staff.put(GENERAL, {}, format="json")
    assert general.status_code == 400
    assert general.json() == {"code": "invalid", "primary_colour": REQUIRED, "secondary_colour": REQUIRED}
    assert configuration_state("org_noord") == before


@pytest.mark.parametrize("missing", sorted(FULL_PREFERENCES))
def test_put_missing_one_setting_is_refused(noord_client, missing):
    payload = {name: value for name, value in FULL_PREFERENCES.items() if name != missing}
    response = as_staff(noord_client).put(PREFS, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", missing: REQUIRED}


def test_put_replaces_every_setting(noord_client):
    staff = as_staff(noord_client)
    first = {
        **FULL_PREFERENCES,
        "use_organisation_colours": False,
        "primary_colour": "#1a7f37",
        "secondary_colour": "#0969da",
        "support_email": "help@noord.test",
        "website": "https://noord.test",
        "support_phone": "+32 50 12 34 56",
        "advance_changes_allowed": True,
        "advance_range": "fixed",
        "advance_fixed_amount": "25.00",
        "invoices_visible": True,
        "payment_status_visible": True,
    }
    saved = staff.put(PREFS, first, format="json")
    assert saved.status_code == 200, saved.content
    assert {name: saved.json()[name] for name in first} == first
    # A second PUT with other values replaces all of them (blank contact details included).
    second = {
        **FULL_PREFERENCES,
        "use_organisation_colours": True,
        "primary_colour": "",
        "secondary_colour": "",
    }
    replaced = staff.put(PREFS, second, format="json")
    assert replaced.status_code == 200, replaced.content
    assert {name: replaced.json()[name] for name in second} == second
    assert staff.get(PREFS).json()["support_email"] == ""


def test_put_as_a_form_upload_needs_every_setting_too(noord_client):
    staff = as_staff(noord_client)
    form = {name: "" if value is None else value for name, value in FULL_PREFERENCES.items()}
    without_boolean = {name: value for name, value in form.items() if name != "invoices_visible"}
    refused = staff.put(PREFS, {**without_boolean, "logo": image_file("l.png", "PNG")}, format="multipart")
    assert refused.status_code == 400
    assert refused.json() == {"code": "invalid", "invoices_visible": REQUIRED}
    accepted = staff.put(PREFS, {**form, "logo": image_file("l.png", "PNG")}, format="multipart")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["logo_url"].endswith(".png")
    assert accepted.json()["advance_fixed_amount"] is None
    # Files are not settings: a PUT without a file keeps the logo.
    again = staff.put(PREFS, FULL_PREFERENCES, format="json")
    assert again.json()["logo_url"] == accepted.json()["logo_url"]


def test_patch_still_changes_only_what_it_sends(noord_client):
    staff = as_staff(noord_client)
    staff.patch(PREFS, {"support_phone": "+32 50 00 00 00"}, format="json")
    before = staff.get(PREFS).json()
    nothing = staff.patch(PREFS, {}, format="json")
    assert nothing.status_code == 200
    ignore = {"updated_at": None, "warnings": None}
    assert {**nothing.json(), **ignore} == {**before, **ignore}
    one = staff.patch(PREFS, {"website": "https://noord.test"}, format="json").json()
    assert (one["website"], one["support_phone"]) == ("https://noord.test", "+32 50 00 00 00")


def test_openapi_marks_the_put_fields_required_and_patch_fields_optional(noord_client):
    document = noord_client.get("/api/schema/?format=json").json()
    components = document["components"]["schemas"]
    for path, serializer in ((PREFS, PortalPreferencesSerializer), (GENERAL, GeneralPreferencesSerializer)):
        operations = document["paths"][path]
        # They take a file: multipart/form-data is the documented media type (JSON works without one).
        put_schema = operations["put"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
        patch_schema = operations["patch"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
        put_component = components[put_schema.rsplit("/", 1)[-1]]
        assert set(serializer.PUT_REQUIRED) <= set(put_component["required"])
        assert operations["put"]["summary"].startswith("Replace")
        patch_component = components[patch_schema.rsplit("/", 1)[-1]]
        assert not set(serializer.PUT_REQUIRED) & set(patch_component.get("required", []))
