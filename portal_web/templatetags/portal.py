"""Template helpers: page messages, money and numbers in the visitor's locale, SVG charts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from configuration.site import cached_site

from ..charts import value_axis

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
    """An accessible SVG bar chart; periods without data are drawn as gaps with a marker."""
    width, height, top, bottom, left = 760, 276, 28, 36, 56
    values = [Decimal(p["value"]) for p in points if p["value"] is not None]
    values += [Decimal(p["value"]) for p in (other or []) if p["value"] is not None]
    axis = value_axis(max(values, default=Decimal(0)))
    peak = axis.top  # bars are scaled to the axis' round top
    slot = (width - left) / max(len(points), 1)
    bar = slot * (0.38 if other else 0.7)
    plot = height - top - bottom
    # The unit heads the value axis, so every figure on it reads as "<value> <unit>".
    parts = [
        format_html('<text class="axis unit" x="{}" y="{}" text-anchor="end">{}</text>', left - 6, 14, unit)
    ]
    steps = len(axis.ticks) - 1
    for step, tick in enumerate(reversed(axis.ticks)):
        y = top + plot * step / steps
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>', left, width, round(y, 1), round(y, 1)
            )
        )
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left - 6,
                round(y + 4, 1),
                quantity(tick, axis.decimals),
            )
        )
    for index, point in enumerate(points):
        x = left + slot * index + (slot - (bar * (2 if other else 1))) / 2
        series = [("current", point)] + ([("other", other[index])] if other and index < len(other) else [])
        for offset, (name, item) in enumerate(series):
            bar_x = round(x + offset * bar, 1)
            if item["value"] is None:
                if item.get("future") or name == "other":
                    continue  # nothing to measure yet, or no comparison figure: no marker
                title = _("%(period)s: no data") % {"period": period(item["period"])}
                parts.append(
                    format_html(
                        '<g class="gap"><title>{}</title><rect x="{}" y="{}" width="{}" height="3"/></g>',
                        title,
                        bar_x,
                        height - bottom - 3,
                        round(bar, 1),
                    )
                )
                continue
            value = Decimal(item["value"])
            bar_height = max(float(value / peak) * plot, 1.0)
            incomplete = item.get("completeness", 1) < 0.999
            title = f"{period(item['period'])}: {quantity(value)} {unit}"
            if incomplete:
                share = _("%(share)s of the readings received") % {"share": percent(item["completeness"])}
                title = f"{title} ({share})"
            css = f"bar {name}{' partial' if incomplete else ''}"
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                    css,
                    bar_x,
                    round(height - bottom - bar_height, 1),
                    round(bar, 1),
                    round(bar_height, 1),
                    title,
                )
            )
        short = _axis_label(point["period"])
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                round(left + slot * index + slot / 2, 1),
                height - bottom + 16,
                short,
            )
        )
    description = _("Bar chart of %(label)s per period, in %(unit)s.") % {"label": label, "unit": unit}
    legend = ""
    if other:
        legend = format_html(
            '<text class="legend current" x="{}" y="{}">■ {}</text><text class="legend other" x="{}" y="{}">■ {}</text>',
            left,
            height - 4,
            label,
            left + 220,
            height - 4,
            other_label,
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title chart-desc">'
        '<title id="chart-title">{}</title><desc id="chart-desc">{}</desc>{}{}</svg>',
        width,
        height,
        label,
        description,
        format_html_join("", "{}", ((part,) for part in parts)),
        legend,
    )
