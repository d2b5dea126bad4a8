"""The resident's consumption reports, shared by the API and the web pages."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import RuleViolation
from configuration.models import PortalPreferences
from configuration.site import portal_features

from . import costs, selectors
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


def year_report(
    *, customer, organisation, service: str, year: int, locations: list[int] | None = None
) -> dict:
    windows = _windows(customer, service, locations)
    today = today_of(organisation)
    series = selectors.year_series(windows=windows, year=year, today=today)
    report = {"service": service, "unit": unit_of(service), "year": year, **series}
    if costs_enabled(organisation):
        report["costs"] = costs.year_costs(windows=windows, service=service, year=year, today=today)
        report["similar_customers"] = costs.peer_comparison(
            windows=windows, service=service, year=year, points=series["points"]
        )
    return report


def month_report(
    *, customer, organisation, service: str, year: int, month: int, locations: list[int] | None = None
) -> dict:
    series = selectors.month_series(
        windows=_windows(customer, service, locations), year=year, month=month, today=today_of(organisation)
    )
    return {"service": service, "unit": unit_of(service), "year": year, "month": month, **series}


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
    start: date | None = None,
    end: date | None = None,
    other_start: date | None = None,
) -> dict:
    windows = _windows(customer, service, locations)
    today = today_of(organisation)
    if mode == "year":
        current = selectors.year_series(windows=windows, year=year, today=today)
        other = selectors.year_series(windows=windows, year=other_year, today=today)
    elif mode == "month":
        current = selectors.month_series(windows=windows, year=year, month=month, today=today)
        other = selectors.month_series(windows=windows, year=year - 1, month=month, today=today)
    else:
        length: timedelta = end - start
        current = selectors.day_series(windows=windows, first=start, last=end, today=today)
        other = selectors.day_series(
            windows=windows, first=other_start, last=other_start + length, today=today
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
