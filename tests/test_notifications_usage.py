"""The usage alert against similar homes and the same month last year (issue 19): the resident's
threshold and comparison, once per month and service, their language, and a daily run whose
queries do not grow with the number of residents."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from communications.models import OutboundEmail
from configuration.models import PortalPreferences
from memberships.models import PortalAccount
from notifications import daily
from tenants.models import Organisation
from tenants.services import update_organisation
from tests.support.consumption_data import ingest_rows, month_rows, spread_customer
from tests.support.residents import resident_client

TODAY = date(2026, 3, 16)  # the last complete month is February 2026
FEBRUARY, FEBRUARY_BEFORE = date(2026, 2, 1), date(2025, 2, 1)
AREA = 600  # every home here is an apartment in the 500 to 1000 m² band, which no other test data uses


def _show_peers(on: bool) -> None:
    """The operator's feature and the staff switch that show residents the peer comparison."""
    update_organisation(
        organisation=Organisation.objects.get(slug="noord"), features={"cost_visualisation": on}
    )
    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(cost_visualisation=on)


@pytest.fixture(autouse=True)
def _peers_shown(db):
    _show_peers(True)


def _home(february: str, *, year_before: str | None = None, area: int = AREA) -> dict:
    """Two apartments with a heating meter each, February 2026 at ``february`` a quarter-hour."""
    data = spread_customer(locations=2, floor_area=area)
    rows = []
    for meter in data["meters"]:
        rows += month_rows(meter, FEBRUARY, 28, february)
        if year_before:
            rows += month_rows(meter, FEBRUARY_BEFORE, 28, year_before)
    ingest_rows(rows)
    return data


def _similar_homes(count: int = 3, area: int = AREA) -> None:
    """``count`` customers with two homes each at 0.25 a quarter-hour: 672 kWh a home in February."""
    for _ in range(count):
        _home("0.25", area=area)


def _run() -> int:
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        return daily.run(organisation=organisation, today=TODAY)


def _alerts(address: str) -> list[OutboundEmail]:
    with schema_context("org_noord"):
        return list(OutboundEmail.objects.filter(to=address, template="notification_usage_alert"))


def _choose(client, **choices) -> dict:
    answer = client.put("/api/portal/details/notifications/", choices, format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_an_alert_against_similar_homes_goes_from_the_threshold_on_once_a_month(db, client_for):
    _similar_homes()
    high = _home("0.40")  # 2 x 1075.2 kWh against 6 similar homes' 672 kWh per 600 m²: +60 %
    client = resident_client(client_for, high)
    assert _choose(client, usage_threshold=61, usage_comparison="similar_homes")["usage_comparison"] == (
        "similar_homes"
    )
    _run()
    assert _alerts(high["email"]) == []  # 60 % is under 61 %
    _choose(client, usage_threshold=60)
    _run()
    _run()
    [alert] = _alerts(high["email"])  # once for the month, however often the run goes
    assert "2150.4 kWh, 60 % more than the average of similar homes (1344.0 kWh)" in alert.body_text
    assert "same month last year" not in alert.body_text
    assert alert.subject.endswith("is well above similar homes")
    assert "February 2026" in alert.subject
    assert "/notifications/unsubscribe/" in alert.body_text
    _choose(client, usage_threshold=5)
    _run()
    assert len(_alerts(high["email"])) == 1  # a lower threshold later: still once for February


def test_no_similar_homes_alert_where_the_portal_shows_no_peer_comparison(db, client_for):
    _similar_homes()
    high = _home("0.40")  # +60 % against similar homes
    client = resident_client(client_for, high)
    _choose(client, usage_threshold=30, usage_comparison="similar_homes")
    _show_peers(False)
    _run()
    assert _alerts(high["email"]) == []
    _show_peers(True)
    _run()
    assert len(_alerts(high["email"])) == 1


def test_the_comparison_chosen_decides_and_the_email_is_in_the_residents_language(db, client_for):
    _similar_homes()
    both = _home("0.40", year_before="0.25")  # +60 % against both
    # In another floor-area band (250 to 500 m²), where these are the only homes: too few to compare.
    last_year_only = _home("0.40", year_before="0.25", area=300)
    small_group = _home("0.40", area=300)
    resident_client(client_for, both, language="nl")
    _choose(resident_client(client_for, last_year_only), usage_comparison="last_year")
    resident_client(client_for, small_group)
    with schema_context("org_noord"):
        PortalAccount.objects.filter(login_email=both["email"]).update(language="nl")
    _run()
    [dutch] = _alerts(both["email"])
    assert dutch.language == "nl"
    assert "60 % meer dan in dezelfde maand vorig jaar (1344.0 kWh)" in dutch.body_text
    assert "60 % meer dan het gemiddelde van vergelijkbare woningen (1344.0 kWh)" in dutch.body_text
    assert "vorig jaar en vergelijkbare woningen" in dutch.subject
    [english] = _alerts(last_year_only["email"])
    assert "60 % more than in the same month last year (1344.0 kWh)" in english.body_text
    assert "similar homes" not in english.body_text + english.subject
    assert _alerts(small_group["email"]) == []  # fewer than 5 similar homes: no average to compare


def _counted() -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        sent = _run()
    return sent, len(queries)


def test_the_daily_runs_queries_do_not_grow_with_the_residents(db, client_for):
    _similar_homes()
    homes = [_home("0.40", year_before="0.25") for _ in range(4)]
    resident_client(client_for, homes[0])
    sent_one, sending_one = _counted()
    assert sent_one == 1
    sent_none, idle_one = _counted()
    assert sent_none == 0
    for data in homes[1:]:
        resident_client(client_for, data)
    sent_three, sending_three = _counted()
    assert sent_three == 3
    sent_none, idle_four = _counted()
    assert sent_none == 0
    # Measuring 4 residents costs what measuring 1 does; only a queued email costs its own few.
    assert idle_four == idle_one, (idle_one, idle_four)
    per_email = (sending_three - idle_four) / 3
    assert sending_one - idle_one <= 40, (idle_one, sending_one)
    assert per_email <= 40, (idle_four, sending_three)
    print(
        f"daily run: {idle_one} queries idle (1 or 4 residents), {sending_one} for 1 email, {sending_three} for 3"
    )
