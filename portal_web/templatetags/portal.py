"""Template helpers: page messages, money and numbers in the visitor's locale, SVG charts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from configuration.site import cached_site

from ..charts import bar_layout

register = template.Library()


@register.inclusion_tag("portal/_messages.html", takes_context=True)
def page_messages(context, page: str) -> dict:
    request = context["request"]
    site, _etag = cached_site(
        organisation=request.organisation,
        page=page,
        language=request.LANGUAGE_CODE,
        routing_version=getattr(request, "routing_version", None),
    )
    # build_site made each message's HTML with rich_text.display_html (sanitised as shown); a cache
    # may give it back as plain text, so it is marked safe again here.
    return {
        "portal_messages": [{**message, "html": mark_safe(message["html"])} for message in site["messages"]]
    }


@register.filter
def money(value, currency: str = "EUR") -> str:
    if value in (None, ""):
        return ""
    amount = formats.number_format(Decimal(str(value)), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{'€' if currency == 'EUR' else currency} {amount}"


@register.filter
def quantity(value, decimals: int = 1) -> str:
    if value in (None, ""):
        return "\u2013"  # en dash: no figure
    return formats.number_format(
        Decimal(str(value)), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


@register.filter
def percent(value) -> str:
    return f"{round(float(value) * 100)} %" if value is not None else ""


@register.filter
def local_time(value: str) -> str:
    """An ISO timestamp from a report, as a date and time in the organisation's zone."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@register.filter
def period(value: str) -> str:
    """A report period: "2026-03" as the month's name and year, "2026-03-14" as a short date."""
    if len(value) == 7:
        return formats.date_format(date(int(value[:4]), int(value[5:7]), 1), "YEAR_MONTH_FORMAT")
    if len(value) == 10:
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return value


@register.filter
def iso_date(value) -> str:
    """A date stored as ISO text (a move-in step), in the language's short date format."""
    try:
        return formats.date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value or "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


def _axis_label(period: str) -> str:
    """Months as the language's short month name, days as the day number."""
    if len(period) == 7:
        return formats.date_format(date(int(period[:4]), int(period[5:7]), 1), "M")
    return str(int(period[-2:])) if len(period) == 10 else period


@register.simple_tag
def bar_chart(
    points: list[dict], unit: str, label: str, other: list[dict] | None = None, other_label: str = ""
) -> str:
    """An accessible SVG bar chart (portal/_bar_chart.svg); periods without data are drawn as gaps
    with a marker. Where things go is decided by ``charts.bar_layout``; here only the words."""
    layout = bar_layout(points, other)
    for line in layout["grid"]:
        line["label"] = quantity(line["tick"], layout["axis"].decimals)
    for column in layout["columns"]:
        column["label"] = _axis_label(column["point"]["period"])
        for bar in column["bars"]:
            bar["title"] = _bar_title(bar, unit)
    frame = layout["frame"]
    return render_to_string(
        "portal/_bar_chart.svg",
        {
            **layout,
            "label": label,
            "unit": unit,
            "description": _("Bar chart of %(label)s per period, in %(unit)s.")
            % {"label": label, "unit": unit},
            "unit_x": frame.left - 6,
            "label_y": frame.baseline + 16,
            "legend": bool(other),
            "other_label": other_label,
            "legend_y": frame.height - 4,
            "legend_other_x": frame.left + 220,
        },
    )


def _bar_title(bar: dict, unit: str) -> str:
    """What a bar's tooltip (and a screen reader) says: the period and its figure, or no data."""
    item = bar["item"]
    if bar["gap"]:
        return _("%(period)s: no data") % {"period": period(item["period"])}
    title = f"{period(item['period'])}: {quantity(bar['value'])} {unit}"
    if bar["incomplete"]:
        share = _("%(share)s of the readings received") % {"share": percent(item["completeness"])}
        title = f"{title} ({share})"
    return title
