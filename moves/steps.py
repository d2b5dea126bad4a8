"""The seven steps of a move-in, each validated on its own."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from stdnum import iban as iban_numbers
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as NumberError

from consumption.entered_readings import check_entered_readings, reading_errors
from contracts.models import Location
from customers.models import Customer

PAST_DAYS, FUTURE_DAYS = 60, 180


def moving_day_bounds(organisation):
    today = timezone.localdate(timezone=organisation.zone)
    return today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)


class LocationStep(serializers.Serializer):
    location_id = serializers.IntegerField(
        error_messages={
            key: _("Choose your new address from the list.") for key in ("required", "null", "invalid")
        }
    )

    def validate_location_id(self, value):
        if not Location.objects.filter(pk=value).exists():
            raise serializers.ValidationError(
                _("We do not supply this address. Search for it and pick it from the list.")
            )
        return value


class DateStep(serializers.Serializer):
    move_in_date = serializers.DateField()

    def validate_move_in_date(self, value):
        first, last = moving_day_bounds(self.context["organisation"])
        if value < first:
            raise serializers.ValidationError(
                _("This date is too far in the past; report moves within %(days)s days.")
                % {"days": PAST_DAYS}
            )
        if value > last:
            raise serializers.ValidationError(
                _("This date is too far ahead; report moves at most %(days)s days in advance.")
                % {"days": FUTURE_DAYS}
            )
        return value


class IdentityStep(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("person", _("Person")), ("company", _("Company"))])
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    company_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    vat_number = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def validate(self, data):
        if data["kind"] == "person" and not data.get("last_name"):
            raise serializers.ValidationError({"last_name": [_("Enter your last name.")]})
        if data["kind"] == "company":
            if not data.get("company_name"):
                raise serializers.ValidationError({"company_name": [_("Enter the company name.")]})
            if data.get("vat_number"):
                try:
                    data["vat_number"] = eu_vat.compact(eu_vat.validate(data["vat_number"]))
                except NumberError as exc:
                    raise serializers.ValidationError(
                        {"vat_number": [_("This is not a valid VAT number.")]}
                    ) from exc
        return data


class ContactStep(serializers.Serializer):
    # The column's length: Django's email validator alone lets 320 characters through.
    email = serializers.EmailField(max_length=254)
    phone = serializers.RegexField(
        r"^\+?[0-9 ./()-]{6,20}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": _("Enter a phone number with digits only, e.g. +32 470 12 34 56.")},
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES)


class ReadingSerializer(serializers.Serializer):
    meter_id = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=0)


class ReadingsStep(serializers.Serializer):
    """A reading for every meter at the address, each checked against the meter's history at
    entry (``consumption.entered_readings``) for the moment it counts (``moment`` in the context:
    the move-in day when step 2 is done, else now; submitting checks again)."""

    readings = ReadingSerializer(many=True)

    def validate_readings(self, readings):
        expected = self.context.get("meter_ids")
        if expected is None:
            raise serializers.ValidationError(_("Choose the address first (step 1)."))
        given = [row["meter_id"] for row in readings]
        unknown = set(given) - set(expected)
        if unknown:
            raise serializers.ValidationError(
                _("These meters are not at this address: %(ids)s.")
                % {"ids": ", ".join(map(str, sorted(unknown)))}
            )
        missing = set(expected) - set(given)
        if missing:
            raise serializers.ValidationError(
                _("Give a reading for every meter (%(count)s missing).") % {"count": len(missing)}
            )
        if len(given) != len(set(given)):
            raise serializers.ValidationError(_("Give one reading per meter."))
        problems = check_entered_readings(
            readings=readings,
            moment=self.context.get("moment") or timezone.now(),
            organisation=self.context["organisation"],
        )
        if problems:
            raise serializers.ValidationError(reading_errors(problems, readings))
        return [{"meter_id": row["meter_id"], "value": str(row["value"])} for row in readings]


class BillingStep(serializers.Serializer):
    billing_preference = serializers.ChoiceField(choices=Customer.BillingPreference.choices)
    payment_method = serializers.ChoiceField(
        choices=[("direct_debit", _("Direct debit")), ("transfer", _("Bank transfer"))]
    )
    iban = serializers.CharField(max_length=42, required=False, allow_blank=True)
    account_holder = serializers.CharField(max_length=200, required=False, allow_blank=True)
    direct_debit_consent = serializers.BooleanField(required=False, default=False)

    def validate_iban(self, value):
        if not value:
            return ""
        try:
            return iban_numbers.compact(iban_numbers.validate(value))
        except NumberError as exc:
            raise serializers.ValidationError(_("This IBAN is not valid: check the number.")) from exc

    def validate(self, data):
        if data["payment_method"] == "direct_debit":
            errors = {}
            if not data.get("iban"):
                errors["iban"] = [_("Enter the IBAN for the direct debit.")]
            if not data.get("account_holder"):
                errors["account_holder"] = [_("Enter the account holder's name.")]
            if not data.get("direct_debit_consent"):
                errors["direct_debit_consent"] = [
                    _("Agree to the direct debit mandate, or choose bank transfer.")
                ]
            if errors:
                raise serializers.ValidationError(errors)
        return data


class ConsentStep(serializers.Serializer):
    accept_terms = serializers.BooleanField()
    accept_privacy = serializers.BooleanField()

    def validate(self, data):
        errors = {}
        if not data["accept_terms"]:
            errors["accept_terms"] = [_("Accept the terms and conditions to submit.")]
        if not data["accept_privacy"]:
            errors["accept_privacy"] = [_("Accept the privacy statement to submit.")]
        if errors:
            raise serializers.ValidationError(errors)
        return data


STEPS = {
    1: LocationStep,
    2: DateStep,
    3: IdentityStep,
    4: ContactStep,
    5: ReadingsStep,
    6: BillingStep,
    7: ConsentStep,
}
