"""How an amount splits into net and VAT, and across an invoice's lines: decided here and nowhere else.

A line's VAT is its rate applied to its net, rounded half up to the cent. From a gross amount the net
is gross / (1 + rate), rounded half up, and the VAT is the rest. That net is the only one whose VAT
(rate x net, rounded) adds up to the gross whenever such a net exists; a few gross amounts have none
(about rate / (100 + rate) of them: 1 in 18 at 6 %, 1 in 6 at 21 %), and there the VAT is one cent
off rate x net while the net stays the cent nearest the exact one. Every split depends on the gross,
the rates and the billed lines only, never on a previous result, so the same gross always gives the
same lines. Arithmetic is exact (fractions), so no precision setting can change a cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Decimal arithmetic that refuses to round (``Inexact`` trapped): a product of two amounts is exact
# in it, and rounding to the cent is asked for explicitly, so it gives what fractions give, faster.
_EXACT = Context(prec=200, rounding=ROUND_HALF_UP, traps=[Inexact])
_TO_CENT = Context(prec=200, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Split:
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True)
class BilledLine:
    """A line as the billing system sent it. ``rate`` None: an invoice without lines, whose billed
    net and VAT give the proportion (its rate is not known)."""

    net: Decimal
    vat: Decimal
    rate: Decimal | None

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def _cents(value: Fraction) -> int:
    """Half up (away from zero) to whole cents, exactly."""
    scaled = abs(value) * 100
    whole = int(scaled + Fraction(1, 2))
    return whole if value >= 0 else -whole


def _cents_of(amount: Decimal) -> int:
    """``_cents`` of a Decimal: without fractions when it is whole cents already (an amount)."""
    if amount.is_finite() and amount.as_tuple().exponent >= -2:
        return int(amount.scaleb(2, _EXACT))
    return _cents(Fraction(amount))


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _rated(net: Decimal, rate: Decimal) -> Decimal | Fraction:
    """rate x net / 100, exactly: a Decimal when both are finite Decimals and the product fits
    (an import computes it for every line, twice), else a Fraction."""
    if isinstance(net, Decimal) and isinstance(rate, Decimal) and net.is_finite() and rate.is_finite():
        try:
            return _EXACT.multiply(net, rate).scaleb(-2, _EXACT)
        except Inexact:
            pass
    return Fraction(net) * Fraction(rate) / 100


def vat_of(net: Decimal, rate: Decimal) -> Decimal:
    """The VAT on a net amount: rate x net, rounded half up to the cent."""
    exact = _rated(net, rate)
    if isinstance(exact, Decimal):
        return exact.quantize(CENT, context=_TO_CENT) or ZERO
    return _money(_cents(exact))


def split_gross(gross: Decimal, rate: Decimal) -> Split:
    """Net and VAT of a gross amount at ``rate`` percent (see the module's docstring)."""
    net = _money(_cents(Fraction(gross) * 100 / (100 + Fraction(rate))))
    return Split(net, gross - net)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` divided in proportion to ``weights``, to the cent, adding up exactly (largest remainder).

    Each part is the exact share rounded down, and the cents left go to the parts that lost most
    (ties: the earlier part). Weights that add up to zero count as equal.
    """
    if not weights:
        return []
    shares = [Fraction(weight) for weight in weights]
    if sum(shares) == 0:
        shares = [Fraction(1)] * len(weights)
    whole, exact = _cents(Fraction(total)), sum(shares)
    parts = [Fraction(whole) * share / exact for share in shares]
    floors = [part.numerator // part.denominator for part in parts]
    left = whole - sum(floors)
    by_remainder = sorted(range(len(parts)), key=lambda i: (floors[i] - parts[i], i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [_money(cents) for cents in floors]


def proportion(amount: Decimal, part: int, whole: int) -> Decimal:
    """``amount`` x ``part`` / ``whole``, half up to the cent (e.g. an advance for some of its days)."""
    return _money(_cents(Fraction(amount) * part / whole))


def lines_for_gross(billed: Sequence[BilledLine], gross: Decimal) -> list[Split]:
    """An invoice's lines when its total becomes ``gross``.

    At the billed total: the billed lines themselves (the billing system's document, also where it
    rounded otherwise). Else the gross is divided over the lines in proportion to their billed gross
    amounts (the fixed weights) and each part is split at its line's rate.
    """
    if gross == sum((line.gross for line in billed), start=ZERO):
        return [Split(line.net, line.vat) for line in billed]
    parts = allocate(gross, [line.gross for line in billed])
    return [_split_line(part, line) for part, line in zip(parts, billed, strict=True)]


def _split_line(gross: Decimal, line: BilledLine) -> Split:
    if line.rate is not None:
        return split_gross(gross, line.rate)
    if line.gross == 0:
        return Split(gross, ZERO)
    net = _money(_cents(Fraction(gross) * Fraction(line.net) / Fraction(line.gross)))
    return Split(net, gross - net)


def expected_tax(lines: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """The VAT of (net, rate) lines, each line rounded on its own."""
    return sum((vat_of(net, rate) for net, rate in lines), start=ZERO)


def _rounding_loss(exact: Decimal | Fraction, vat: Decimal, step: int) -> Decimal | Fraction:
    """What rounding ``exact`` to ``vat`` took away, times ``step``, exactly (Decimal and Fraction
    compare exactly with each other)."""
    if isinstance(exact, Decimal):
        try:
            return _EXACT.multiply(_EXACT.subtract(exact, vat), step)
        except Inexact:
            pass
    return (Fraction(exact) - Fraction(vat)) * step


def tax_tolerance(line_count: int) -> Decimal:
    """How far an imported tax total may be from ``expected_tax``: one cent per line, which covers
    a billing system that rounds per rate or per invoice instead of per line."""
    return CENT * line_count


def line_vats(lines: Sequence[tuple[Decimal, Decimal]], tax: Decimal) -> list[Decimal]:
    """Each (net, rate) line's share of an invoice's ``tax``, adding up to it exactly.

    Each line starts from rate x net rounded; a difference (the billing system rounded per rate or per
    invoice) goes a cent at a time to the lines whose rounding lost most (gained most, when the
    difference is negative), so every line stays within a cent of its own rate.
    """
    vats = [vat_of(net, rate) for net, rate in lines]
    if not vats:
        return []
    difference = _cents_of(tax - sum(vats, start=ZERO))
    if difference == 0:
        return vats
    step = 1 if difference > 0 else -1
    lost = [
        _rounding_loss(_rated(net, rate), vat, step) for (net, rate), vat in zip(lines, vats, strict=True)
    ]
    # Most lost first, ties in line order (a stable sort, reversed, keeps equal keys in order).
    order = sorted(range(len(vats)), key=lost.__getitem__, reverse=True)
    cents = [0] * len(vats)
    for k in range(abs(difference)):
        cents[order[k % len(order)]] += step
    return [vat + _money(extra) for vat, extra in zip(vats, cents, strict=True)]
