"""The resident's consumption reports, shared by the API and the web pages.

Each report reads the aggregates once (for every period it shows and, with cost visualisation
on, the periods a year earlier that estimates use) and builds series and costs from those cells.
Cost fields only exist when cost visualisation is on.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from configuration.models import PortalPreferences
from configuration.site import portal_features
from core.errors import RuleViolation

from . import costs, peers, selectors
from .models import Service


def _windows(customer, service: str, locations: list[int] | None):
    try:
        return selectors.meter_windows(customer=customer, service=service, location_ids=locations)
    except selectors.ConsumptionQueryError as exc:
        raise RuleViolation(
            _("This location is not one of yours."), code="unknown_location", field=exc.field, http_status=404
        ) from exc


def today_of(organisation) -> date:
    return timezone.localdate(timezone=organisation.zone)


def unit_of(service: str) -> str | None:
    return Service.objects.filter(code=service).values_list("unit", flat=True).first()


def costs_enabled(organisation) -> bool:
    return portal_features(organisation, PortalPreferences.objects.current())["cost_visualisation"]


def _year_period(windows, *, service: str, year: int, cells, today: date, with_costs: bool) -> dict:
    period = selectors.year_series(cells=cells, year=year, today=today)
    if with_costs:
        period["costs"] = costs.year_costs(windows=windows, service=service, year=year, cells=cells)
    return period


def _day_period(
    windows, *, service: str, first: date, last: date, cells, today: date, with_costs: bool
) -> dict:
    period = selectors.day_series(cells=cells, first=first, last=last, today=today)
    if with_costs:
        period["costs"] = costs.day_costs(
            windows=windows, service=service, first=first, last=last, cells=cells
        )
    return period


def _with_year_before(ranges: list[tuple[date, date]], with_costs: bool) -> list[tuple[date, date]]:
    """The ranges and, for cost estimates, the same days a year earlier."""
    if not with_costs:
        return ranges
    return ranges + [(costs.year_ago(first), costs.year_ago(last)) for first, last in ranges]


def year_report(
    *, customer, organisation, service: str, year: int, locations: list[int] | None = None
) -> dict:
    windows = _windows(customer, service, locations)
    today, with_costs = today_of(organisation), costs_enabled(organisation)
    cells = selectors.month_cells(
        windows=windows, years=[year, year - 1] if with_costs else [year], today=today, zone=organisation.zone
    )
    report = {
        "service": service,
        "unit": unit_of(service),
        "year": year,
        **_year_period(windows, service=service, year=year, cells=cells, today=today, with_costs=with_costs),
    }
    if with_costs:
        report["similar_customers"] = peers.peer_comparison(
            windows=windows, service=service, year=year, points=report["points"], customer_id=customer.pk
        )
    return report


def month_report(
    *, customer, organisation, service: str, year: int, month: int, locations: list[int] | None = None
) -> dict:
    windows = _windows(customer, service, locations)
    today, with_costs = today_of(organisation), costs_enabled(organisation)
    first, last = selectors.month_bounds(year, month)
    cells = selectors.day_cells(
        windows=windows,
        ranges=_with_year_before([(first, last)], with_costs),
        today=today,
        zone=organisation.zone,
    )
    period = _day_period(
        windows, service=service, first=first, last=last, cells=cells, today=today, with_costs=with_costs
    )
    return {"service": service, "unit": unit_of(service), "year": year, "month": month, **period}


def comparison_report(
    *,
    customer,
    organisation,
    service: str,
    mode: str,
    locations: list[int] | None = None,
    year: int | None = None,
    other_year: int | None = None,
    month: int | None = None,
    other_month: int | None = None,
    start: date | None = None,
    end: date | None = None,
    other_start: date | None = None,
) -> dict:
    """Any two years, months (by default the same month a year earlier) or ranges side by side, with
    costs when enabled; ``change_percentage`` is None unless both periods are complete."""
    windows = _windows(customer, service, locations)
    today, with_costs = today_of(organisation), costs_enabled(organisation)
    zone = organisation.zone
    if mode == "year":
        years = [year, other_year] + ([year - 1, other_year - 1] if with_costs else [])
        cells = selectors.month_cells(windows=windows, years=years, today=today, zone=zone)
        current, other = (
            _year_period(windows, service=service, year=y, cells=cells, today=today, with_costs=with_costs)
            for y in (year, other_year)
        )
    else:
        if mode == "month":
            ranges = [
                selectors.month_bounds(year, month),
                selectors.month_bounds(other_year or year - 1, other_month or month),
            ]
        else:
            length: timedelta = end - start
            ranges = [(start, end), (other_start, other_start + length)]
        cells = selectors.day_cells(
            windows=windows, ranges=_with_year_before(ranges, with_costs), today=today, zone=zone
        )
        current, other = (
            _day_period(
                windows,
                service=service,
                first=first,
                last=last,
                cells=cells,
                today=today,
                with_costs=with_costs,
            )
            for first, last in ranges
        )
    return {
        "service": service,
        "unit": unit_of(service),
        "mode": mode,
        "current": current,
        "other": other,
        "change_percentage": selectors.change_percentage(current["total"], other["total"]),
    }


def register_report(
    *, customer, organisation, service: str, year: int, month: int, locations: list[int] | None = None
) -> dict:
    return {
        "service": service,
        "unit": unit_of(service),
        "meters": selectors.register_profile(
            windows=_windows(customer, service, locations), year=year, month=month
        ),
    }
