"""The resident's pages: overview, consumption, invoices and the rest, over the same selectors as the API."""

from __future__ import annotations

from datetime import date
from itertools import zip_longest
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from activity.services import Origin
from config.errors import RuleViolation
from consumption import reports
from consumption import selectors as consumption
from contracts import advance
from contracts.energy_services import ENERGY_SERVICES
from contracts.models import Location
from contracts.selectors import customer_contracts
from customers.details import details_of, request_email_change, update_details
from documents.models import Document
from invoicing import selectors as billing
from invoicing.visibility import Visibility
from portal_api.api.billing_serializers import refund_notice
from portal_api.overview import resident_overview

from ..access import resident_required
from ..forms import AdvanceForm, DetailsForm, EmailChangeForm, apply_errors


@resident_required
def overview(request):
    data = resident_overview(
        customer=request.customer,
        organisation=request.organisation,
        language=request.LANGUAGE_CODE,
        routing_version=getattr(request, "routing_version", None),
    )
    notices = {invoice.pk: refund_notice(invoice) for invoice in data.outstanding}
    labels = dict(Location.ConnectionStatus.choices)
    statuses = [
        (labels.get(code, code), count) for code, count in data.services["by_connection_status"].items()
    ]
    return render(
        request,
        "portal/overview.html",
        {"page": "overview", "o": data, "notices": notices, "statuses": statuses},
    )


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


@resident_required
def consumption_page(request):
    services = consumption.available_services(customer=request.customer)
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
    current_service = next(item for item in services if item["code"] == service)
    known = {location["id"] for location in current_service["locations"]}
    chosen = [
        int(value) for value in request.GET.getlist("locations") if value.isdigit() and int(value) in known
    ]
    locations = chosen or None
    args = {
        "customer": request.customer,
        "organisation": request.organisation,
        "service": service,
        "locations": locations,
    }
    try:
        if compare and month:
            report = reports.comparison_report(mode="month", year=year, month=month, **args)
        elif compare:
            report = reports.comparison_report(mode="year", year=year, other_year=year - 1, **args)
        elif month:
            report = reports.month_report(year=year, month=month, **args)
        else:
            report = reports.year_report(year=year, **args)
    except RuleViolation:
        return redirect("/consumption/")
    register = reports.register_report(year=year, month=month, **args) if month and not compare else None
    peers = report.get("similar_customers") or {}
    peer_points = (
        [{"period": m["period"], "value": m["similar_value"]} for m in peers.get("months", [])]
        if peers.get("available")
        else None
    )
    if compare:
        points, other, total, other_total = (
            report["current"]["points"],
            report["other"]["points"],
            report["current"]["total"],
            report["other"]["total"],
        )
    else:
        points, other, total, other_total = report["points"], None, report["total"], None
    context.update(
        {
            "points": points,
            "other": other,
            "total": total,
            "other_total": other_total,
            "rows": list(zip_longest(points, other or [])),
            "base_query": urlencode([("service", service), *[("locations", pk) for pk in chosen]]),
            "period_label": (date(year, month, 1) if month else None),
            "service": service,
            "current_service": current_service,
            "year": year,
            "month": month,
            "compare": compare,
            "report": report,
            "register": register,
            "peer_points": peer_points,
            "service_label": context["labels"].get(service, service),
            "chosen": chosen,
            "years": list(range(today.year, today.year - 6, -1)),
            "months": [(number, date(2000, number, 1)) for number in range(1, 13)],
        }
    )
    return render(request, "portal/consumption.html", context)


def _billing_guard(request):
    visibility = Visibility.current()
    if not visibility.invoices:
        return None, render(
            request,
            "portal/notice.html",
            {"title": _("Invoices"), "text": _("Invoices are not shown in this portal.")},
            status=403,
        )
    return visibility, None


@resident_required
def invoices_page(request):
    visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    contracts = list(customer_contracts(customer=request.customer))
    invoices = list(billing.resident_invoices(customer=request.customer))
    outstanding_ids = (
        set(billing.outstanding_invoices(customer=request.customer).values_list("pk", flat=True))
        if visibility.payment_status
        else set()
    )
    groups = []
    for contract in [*contracts, None]:
        rows = [
            invoice for invoice in invoices if (invoice.contract_id == (contract.pk if contract else None))
        ]
        if rows:
            groups.append(
                {
                    "contract": contract,
                    "outstanding": [i for i in rows if i.pk in outstanding_ids],
                    "paid": [i for i in rows if i.pk not in outstanding_ids],
                }
            )
    notices = (
        {invoice.pk: refund_notice(invoice) for invoice in invoices} if visibility.payment_status else {}
    )
    return render(
        request,
        "portal/invoices.html",
        {"page": "invoices", "groups": groups, "visibility": visibility, "notices": notices},
    )


def _paged(request, queryset, size: int = 25):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


@resident_required
def statements_page(request):
    visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    rows = billing.statements(customer=request.customer)
    rows.reverse()
    return render(
        request,
        "portal/statements.html",
        {"page": "invoices", "rows": _paged(request, rows), "visibility": visibility},
    )


@resident_required
def charges_page(request):
    _visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    return render(
        request,
        "portal/charges.html",
        {"page": "invoices", "rows": _paged(request, billing.resident_charges(customer=request.customer))},
    )


@resident_required
def transactions_page(request):
    _visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    return render(
        request,
        "portal/transactions.html",
        {
            "page": "invoices",
            "rows": _paged(request, billing.resident_transactions(customer=request.customer)),
        },
    )


@resident_required
def documents_page(request):
    documents = Document.objects.filter(customer=request.customer).select_related("contract")
    return render(
        request, "portal/documents.html", {"page": "invoices", "documents": _paged(request, documents)}
    )


def _details_initial(data: dict) -> dict:
    billing_address = data["addresses"].get("billing") or {}
    return {
        "phone": data["phone"],
        "billing_preference": data["billing_preference"],
        "language": data["language"],
        **{
            f"billing_{name}": billing_address.get(name, "")
            for name in ("street", "house_number", "box", "postal_code", "city")
        },
    }


@resident_required
def my_details(request):
    data = details_of(request.customer, request.portal_account)
    form = DetailsForm(
        request.POST if request.POST.get("form") == "details" else None, initial=_details_initial(data)
    )
    email_form = EmailChangeForm(request.POST if request.POST.get("form") == "email" else None)
    advance_forms = {}
    contracts = list(customer_contracts(customer=request.customer))
    for contract in contracts:
        bound = (
            request.POST
            if request.POST.get("form") == "advance" and request.POST.get("contract_id") == str(contract.pk)
            else None
        )
        limits = advance.allowed_range(contract=contract)
        advance_form = AdvanceForm(
            bound,
            initial={"contract_id": contract.pk, "amount": limits.current},
            auto_id=f"advance-{contract.pk}-%s",
        )
        if limits.allowed:
            # The browser refuses out-of-range values at once; change_advance refuses them again.
            advance_form.fields["amount"].widget.attrs.update(
                min=str(limits.minimum),
                max=str(limits.maximum),
                step="0.01",
                **{"aria-describedby": f"advance-{contract.pk}-range"},
            )
        advance_forms[contract.pk] = (advance_form, limits)

    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "details" and form.is_valid():
                cleaned = form.cleaned_data
                update_details(
                    customer=request.customer,
                    account=request.portal_account,
                    actor_user=request.user,
                    impersonating=request.impersonation is not None,
                    origin=Origin.of(request),
                    changes={
                        "phone": cleaned["phone"],
                        "billing_preference": cleaned["billing_preference"],
                        "language": cleaned["language"],
                        "addresses": {
                            "billing": {
                                **{
                                    name: cleaned[f"billing_{name}"]
                                    for name in ("street", "house_number", "box", "postal_code", "city")
                                },
                                "country": "BE",
                            }
                        },
                    },
                )
                messages.success(request, _("Your details were saved."))
                return redirect("/my-details/")
            if kind == "email" and email_form.is_valid():
                if request.impersonation is not None:
                    raise RuleViolation(
                        _("This cannot be changed while logged in as the customer."),
                        code="not_allowed_during_impersonation",
                    )
                request_email_change(
                    account=request.portal_account,
                    organisation=request.organisation,
                    origin=Origin.of(request),
                    **email_form.cleaned_data,
                )
                messages.success(request, _("Confirm the change with the link we sent to the new address."))
                return redirect("/my-details/")
            if kind == "advance":
                chosen = advance_forms.get(int(request.POST.get("contract_id", 0) or 0))
                if chosen and chosen[0].is_valid():
                    if request.impersonation is not None:
                        raise RuleViolation(
                            _("This cannot be changed while logged in as the customer."),
                            code="not_allowed_during_impersonation",
                        )
                    contract = next(c for c in contracts if c.pk == chosen[0].cleaned_data["contract_id"])
                    advance.change_advance(
                        organisation=request.organisation,
                        contract=contract,
                        amount=chosen[0].cleaned_data["amount"],
                        actor_user=request.user,
                        origin=Origin.of(request),
                    )
                    messages.success(request, _("Your advance payment was changed."))
                    return redirect("/my-details/")
        except RuleViolation as exc:
            target = {"details": form, "email": email_form}.get(kind) or advance_forms.get(
                int(request.POST.get("contract_id", 0) or 0), (form,)
            )[0]
            apply_errors(target, exc)
    return render(
        request,
        "portal/my_details.html",
        {
            "page": "my_details",
            "details": data,
            "form": form,
            "email_form": email_form,
            "advances": [(contract, *advance_forms[contract.pk]) for contract in contracts],
        },
    )
