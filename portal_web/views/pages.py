"""The resident's pages: overview, consumption and my details, over the same selectors as the API
(the invoice pages are in billing.py)."""

from __future__ import annotations

from datetime import date
from itertools import zip_longest
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from activity.services import Origin
from configuration.models import PaymentSettings
from consumption import reports
from consumption import selectors as consumption
from contracts import advance
from contracts.energy_services import ENERGY_SERVICES
from contracts.models import Location
from contracts.selectors import customer_contracts
from core.errors import RuleViolation
from credentials.throttles import EmailChangeThrottle
from invoicing.payment import payable
from invoicing.selectors import InvoiceState, refund_notice
from portal_api.overview import resident_overview
from self_service import advance as advance_change
from self_service.details import details_of, request_email_change, update_details

from .. import throttling
from ..access import resident_required
from ..countries import organisation_country
from ..forms import AdvanceForm, DetailsForm, EmailChangeForm
from .form_view import FormPageView


@resident_required
def overview(request):
    data = resident_overview(
        customer=request.resident.customer,
        organisation=request.organisation,
        language=request.LANGUAGE_CODE,
        routing_version=getattr(request, "routing_version", None),
    )
    notices = {invoice.pk: refund_notice(invoice) for invoice in data.refunds}
    labels = dict(Location.ConnectionStatus.choices)
    statuses = [
        (labels.get(code, code), count) for code, count in data.services["by_connection_status"].items()
    ]
    return render(
        request,
        "portal/overview.html",
        {
            "page": "overview",
            "o": data,
            "notices": notices,
            "statuses": statuses,
            **_money_chart(data),
            "labels": {"refund": InvoiceState.REFUND.label, "upcoming": InvoiceState.UPCOMING.label},
            "payable": _payable_ids(data),
        },
    )


def _payable_ids(data) -> set[int]:
    """The outstanding invoices offered a Pay link; the settings are read only when there are some."""
    if not data.outstanding:
        return set()
    settings = PaymentSettings.objects.current()
    if not (settings.bank_transfer_possible or settings.provider_url_template):
        return set()
    return {invoice.pk for invoice in data.outstanding if payable(invoice, today=data.today)}


@resident_required
def services_page(request):
    """The reference's Services screen: per contract its number, dates, status, advance and
    tariffs, and each service at each location with its meters, dates and connection status."""
    contracts = customer_contracts(customer=request.resident.customer)
    return render(
        request,
        "portal/services.html",
        {
            "page": "services",
            "contracts": consumption.contract_services(
                contracts=contracts,
                today=reports.today_of(request.organisation),
                with_tariffs=reports.costs_enabled(request.organisation),
            ),
            "service_labels": {code: str(label) for code, label in ENERGY_SERVICES.items()},
        },
    )


def _money_chart(data) -> dict:
    """The overview's money graph: billed per month, and paid beside it when the payment status is
    shown; no graph while nothing was billed or paid in the 12 months."""
    if not any(month.billed or month.paid for month in data.money):
        return {"money": None}
    billed = [{"period": month.period, "value": str(month.billed)} for month in data.money]
    paid = (
        [{"period": month.period, "value": str(month.paid)} for month in data.money]
        if data.visibility.payment_status
        else None
    )
    return {"money": data.money, "billed_points": billed, "paid_points": paid}


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _period_keys(*, year: int, month: int, other: tuple[int, int]) -> tuple[str, str]:
    """Period keys the ``period`` filter names ("2025-03" as March 2025, "2025" as is)."""
    if month:
        return f"{year}-{month:02d}", f"{other[0]}-{other[1]:02d}"
    return str(year), str(other[0])


def _cost_periods(report: dict, *, keys: tuple[str, str], compare: bool) -> list[dict]:
    """The cost blocks to show: the period's, or both periods' of a comparison; none when costs are off.

    The year view prices months (``months``, ``estimated_year_total``), the month view and each
    period of a month comparison price days (``days``, ``estimated_total``).
    """
    if compare:
        found = [(keys[0], report["current"].get("costs")), (keys[1], report["other"].get("costs"))]
    else:
        found = [("", report.get("costs"))]
    periods = []
    for label, costs in found:
        if costs is None:
            continue
        rows = costs.get("months") or costs.get("days") or []
        periods.append(
            {
                "label": label,
                "costs": costs,
                "rows": rows,
                "actual_total": costs["actual_total"],
                "expected_total": costs.get("estimated_year_total") or costs.get("estimated_total"),
                "has_estimates": any(row["is_estimate"] for row in rows),
            }
        )
    return periods


def _chosen_locations(request, current_service: dict) -> list[int]:
    """The ``locations`` asked for that belong to the service shown (others are ignored)."""
    known = {location["id"] for location in current_service["locations"]}
    return [
        int(value)
        for value in request.GET.getlist("locations")
        if value.isascii() and value.isdigit() and int(value) in known
    ]


def _report(*, year: int, month: int, compare: bool, other: tuple[int, int], **args) -> dict:
    """The year or month report, or the comparison with the other year or month."""
    if compare and month:
        return reports.comparison_report(
            mode="month", year=year, month=month, other_year=other[0], other_month=other[1], **args
        )
    if compare:
        return reports.comparison_report(mode="year", year=year, other_year=other[0], **args)
    if month:
        return reports.month_report(year=year, month=month, **args)
    return reports.year_report(year=year, **args)


def _chart_series(report: dict, compare: bool) -> dict:
    """The bars (and a comparison's second series) with their totals, and the similar customers'."""
    peers = report.get("similar_customers") or {}
    peer_points = (
        [{"period": m["period"], "value": m["similar_value"]} for m in peers.get("months", [])]
        if peers.get("available")
        else None
    )
    if compare:
        current, other = report["current"], report["other"]
        points, other_points = current["points"], other["points"]
        totals = {"total": current["total"], "other_total": other["total"]}
    else:
        points, other_points = report["points"], None
        totals = {"total": report["total"], "other_total": None}
    return {
        "points": points,
        "other": other_points,
        **totals,
        "rows": list(zip_longest(points, other_points or [])),
        "peer_points": peer_points,
    }


def _comparison(report: dict, *, keys: tuple[str, str], compare: bool, other: tuple, month: int) -> dict:
    """The period compared with (for the form) and, in a comparison, the periods that miss
    readings: they get "incomplete (n days missing)" instead of a percentage."""
    incomplete = [
        (key, report[part]["total"])
        for key, part in zip(keys, ("current", "other"), strict=True)
        if compare and not report[part]["total"]["complete"]
    ]
    return {
        "other_year": other[0],
        "other_month": other[1] or month,
        "period_keys": keys,
        "compared": incomplete,
    }


@resident_required
def consumption_page(request):
    services = consumption.available_services(customer=request.resident.customer)
    today = reports.today_of(request.organisation)
    context = {
        "page": "consumption",
        "services": services,
        "today": today,
        "labels": {code: str(label) for code, label in ENERGY_SERVICES.items()},
    }
    if not services:
        return render(request, "portal/consumption.html", context)
    codes = [service["code"] for service in services]
    service = request.GET.get("service") if request.GET.get("service") in codes else codes[0]
    year = _int(request.GET.get("year"), today.year, 2000, today.year + 1)
    month = _int(request.GET.get("month"), 0, 1, 12)
    compare = request.GET.get("compare") == "1"
    # The period compared with: any year and month (by default the same month a year earlier).
    other = (
        _int(request.GET.get("other_year"), year - 1, 2000, today.year + 1),
        _int(request.GET.get("other_month"), month, 1, 12) if month else 0,
    )
    keys = _period_keys(year=year, month=month, other=other)
    current_service = next(item for item in services if item["code"] == service)
    chosen = _chosen_locations(request, current_service)
    args = {
        "customer": request.resident.customer,
        "organisation": request.organisation,
        "service": service,
        "locations": chosen or None,
    }
    try:
        report = _report(year=year, month=month, compare=compare, other=other, **args)
    except RuleViolation:
        return redirect("/consumption/")
    register = reports.register_report(year=year, month=month, **args) if month and not compare else None
    cost_periods = _cost_periods(report, keys=keys, compare=compare)
    context.update(
        {
            **_chart_series(report, compare),
            "base_query": urlencode([("service", service), *[("locations", pk) for pk in chosen]]),
            "period_label": (date(year, month, 1) if month else None),
            "service": service,
            "current_service": current_service,
            "year": year,
            "month": month,
            "compare": compare,
            **_comparison(report, keys=keys, compare=compare, other=other, month=month),
            "report": report,
            "register": register,
            "cost_periods": cost_periods,
            "costs_available": any(block["costs"]["available"] for block in cost_periods),
            "service_label": context["labels"].get(service, service),
            "chosen": chosen,
            "years": list(range(today.year, today.year - 6, -1)),
            "months": [(number, date(2000, number, 1)) for number in range(1, 13)],
        }
    )
    return render(request, "portal/consumption.html", context)


ADDRESS_PARTS = ("street", "house_number", "box", "postal_code", "city", "country")


def _details_initial(data: dict, country: str) -> dict:
    billing_address = data["addresses"].get("billing") or {}
    return {
        "phone": data["phone"],
        "billing_preference": data["billing_preference"],
        "language": data["language"],
        **{f"billing_{name}": billing_address.get(name, "") for name in ADDRESS_PARTS},
        "billing_country": billing_address.get("country") or country,
    }


def _posted_id(request, name: str) -> int | None:
    """A posted object id, or None when it is missing or not a number (never an exception)."""
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


def _default_country(data: dict, organisation) -> str:
    addresses = data["addresses"]
    for kind in ("billing", "personal", "company"):
        if (addresses.get(kind) or {}).get("country"):
            return addresses[kind]["country"]
    return organisation_country(organisation)


def _advance_forms(request, contracts: list, posted_contract: int | None) -> dict:
    """Per contract, its advance form (bound when it is the one posted) and the amounts allowed."""
    forms = {}
    for contract in contracts:
        limits = advance.allowed_range(contract=contract)
        form = AdvanceForm(
            request.POST if posted_contract == contract.pk else None,
            initial={"contract_id": contract.pk, "amount": limits.current},
            auto_id=f"advance-{contract.pk}-%s",
        )
        if limits.allowed:
            # The browser refuses out-of-range values at once; change_advance refuses them again.
            form.fields["amount"].widget.attrs.update(
                min=str(limits.minimum),
                max=str(limits.maximum),
                step="0.01",
                **{"aria-describedby": f"advance-{contract.pk}-range"},
            )
        forms[contract.pk] = (form, limits)
    return forms


@method_decorator(resident_required, name="dispatch")
class MyDetailsPage(FormPageView):
    """Three forms on one page (details, a new email address, an advance per contract); the one
    posted (its ``form`` field) goes through the flow, the others are shown as they are."""

    template_name = "portal/my_details.html"
    success_url = "/my-details/"

    def dispatch(self, request, *args, **kwargs):
        self.data = details_of(request.resident.customer, request.resident.portal_account)
        country = _default_country(self.data, request.organisation)
        kind = request.POST.get("form") if request.method == "POST" else None
        self.kind = kind if kind in ("details", "email", "advance") else None
        self.details_form = DetailsForm(
            request.POST if self.kind == "details" else None,
            initial=_details_initial(self.data, country),
            country=((self.data["addresses"].get("billing") or {}).get("country") or country),
        )
        self.email_form = EmailChangeForm(request.POST if self.kind == "email" else None)
        self.contracts = list(customer_contracts(customer=request.resident.customer))
        self.posted_contract = _posted_id(request, "contract_id") if self.kind == "advance" else None
        self.advance_forms = _advance_forms(request, self.contracts, self.posted_contract)
        if self.kind == "advance" and self.posted_contract not in self.advance_forms:
            messages.error(request, _("Choose one of your contracts."))
            self.kind, self.status = None, 400
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        if self.kind == "advance":
            return self.advance_forms[self.posted_contract][0]
        return {"details": self.details_form, "email": self.email_form}.get(self.kind)

    def check_throttles(self, form):
        # Impersonation is refused in perform, uncounted as in the API.
        if self.kind != "email" or self.request.resident.impersonating:
            return None
        return throttling.check_post(self.request, [EmailChangeThrottle])

    def perform(self, form):
        getattr(self, f"_change_{self.kind}")(form.cleaned_data)

    def _change_details(self, cleaned: dict) -> None:
        update_details(
            customer=self.request.resident.customer,
            account=self.request.resident.portal_account,
            actor_user=self.request.user,
            impersonating=self.request.resident.impersonating,
            origin=Origin.of(self.request),
            changes={
                "phone": cleaned["phone"],
                "billing_preference": cleaned["billing_preference"],
                "language": cleaned["language"],
                "addresses": {"billing": {name: cleaned[f"billing_{name}"] for name in ADDRESS_PARTS}},
            },
        )
        self.success_message = _("Your details were saved.")

    def _change_email(self, cleaned: dict) -> None:
        _refuse_during_impersonation(self.request)
        request_email_change(
            account=self.request.resident.portal_account,
            organisation=self.request.organisation,
            origin=Origin.of(self.request),
            **cleaned,
        )
        self.success_message = _("Confirm the change with the link we sent to the new address.")

    def _change_advance(self, cleaned: dict) -> None:
        _refuse_during_impersonation(self.request)
        advance_change.change_advance(
            organisation=self.request.organisation,
            contract=next(c for c in self.contracts if c.pk == self.posted_contract),
            amount=cleaned["amount"],
            actor_user=self.request.user,
            origin=Origin.of(self.request),
        )
        self.success_message = _("Your advance payment was changed.")

    def get_context_data(self, form):
        return {
            "page": "my_details",
            "details": self.data,
            "form": self.details_form,
            "email_form": self.email_form,
            "advances": [(contract, *self.advance_forms[contract.pk]) for contract in self.contracts],
        }


my_details = MyDetailsPage.as_view()


def _refuse_during_impersonation(request) -> None:
    if request.resident.impersonating:
        raise RuleViolation(
            _("This cannot be changed while logged in as the customer."),
            code="not_allowed_during_impersonation",
        )
