"""Staff REST admin for the portal configuration, and the public site endpoint of each portal."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from communications import customisation
from communications.models import EmailTemplate
from communications.rendering import default_source
from configuration import selectors, services
from configuration.models import (
    BillingSettings,
    GeneralPreferences,
    PageMessage,
    PaymentSettings,
    PortalPreferences,
)
from configuration.pages import PAGES
from core.api_uploads import TakesUploads
from core.api_warnings import WarningSerializer
from memberships.permissions import IsStaff, IsStaffOrAdmin

from . import serializers as s


class ConfigurationView(APIView):
    """Every staff member may read the configuration; administrators and staff may change it."""

    def get_permissions(self):
        if self.request.method in permissions.SAFE_METHODS:
            return [IsStaff()]
        return [IsStaffOrAdmin()]


def _split_files(serializer_class, validated: dict) -> tuple[dict, dict]:
    files = {name: validated.pop(name) for name in serializer_class.FILE_FIELDS if name in validated}
    return validated, files


@extend_schema(tags=["admin: configuration"])
class PortalPreferencesView(TakesUploads, ConfigurationView):
    """Portal preferences: branding, contact details, advance payments, emails, invoices.

    A logo or favicon is uploaded as multipart/form-data with the other settings; without a file,
    the same settings may also be sent as JSON.
    """

    def _respond(self, request, preferences, warnings=()):
        data = selectors.portal_preferences_view(
            organisation=request.organisation, preferences=preferences, warnings=warnings
        )
        data["emails"] = customisation.email_links()
        return Response(s.PortalPreferencesSerializer(data).data)

    @extend_schema(responses={200: s.PortalPreferencesSerializer})
    def get(self, request):
        """Get the portal preferences"""
        return self._respond(request, PortalPreferences.objects.current())

    def _save(self, request, partial: bool):
        serializer = s.PortalPreferencesSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes, files = _split_files(s.PortalPreferencesSerializer, dict(serializer.validated_data))
        saved = services.update_portal_preferences(
            organisation=request.organisation, changes=changes, uploads=files
        )
        return self._respond(request, saved.instance, saved.warnings)

    @extend_schema(request=s.PortalPreferencesSerializer, responses={200: s.PortalPreferencesSerializer})
    def put(self, request):
        """Replace the portal preferences

        Every setting must be sent (use PATCH to change some). The logo and favicon stay unless a
        new file or `remove_logo`/`remove_favicon` is sent. The answer lists warnings, e.g. about
        colours that are hard to read.
        """
        return self._save(request, partial=False)

    @extend_schema(request=s.PortalPreferencesSerializer, responses={200: s.PortalPreferencesSerializer})
    def patch(self, request):
        """Change some portal preferences

        Only the settings sent change. The answer lists warnings, e.g. about colours that are hard
        to read.
        """
        return self._save(request, partial=True)


@extend_schema(tags=["admin: configuration"])
class GeneralPreferencesView(TakesUploads, ConfigurationView):
    """The organisation's logo and colours, which the portal follows when its toggles are on.

    A logo is uploaded as multipart/form-data with the colours; without a file, the colours may
    also be sent as JSON.
    """

    @extend_schema(responses={200: s.GeneralPreferencesSerializer})
    def get(self, request):
        """Get the organisation's logo and colours"""
        return Response(
            s.GeneralPreferencesSerializer(
                selectors.general_preferences_view(general=GeneralPreferences.objects.current())
            ).data
        )

    def _save(self, request, partial: bool):
        serializer = s.GeneralPreferencesSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes, files = _split_files(s.GeneralPreferencesSerializer, dict(serializer.validated_data))
        saved = services.update_general_preferences(changes=changes, uploads=files)
        return Response(
            s.GeneralPreferencesSerializer(
                selectors.general_preferences_view(general=saved.instance, warnings=saved.warnings)
            ).data
        )

    @extend_schema(request=s.GeneralPreferencesSerializer, responses={200: s.GeneralPreferencesSerializer})
    def put(self, request):
        """Replace the organisation's logo and colours

        Both colours must be sent (use PATCH to change one). The logo stays unless a new file or
        `remove_logo` is sent.
        """
        return self._save(request, partial=False)

    @extend_schema(request=s.GeneralPreferencesSerializer, responses={200: s.GeneralPreferencesSerializer})
    def patch(self, request):
        """Change the organisation's logo or colours

        Only what is sent changes. The answer lists warnings about colours that are hard to read.
        """
        return self._save(request, partial=True)


@extend_schema(tags=["admin: configuration"])
class BillingSettingsView(ConfigurationView):
    """Billing settings that bound what residents may choose (the minimum advance payment)."""

    @extend_schema(responses={200: s.BillingSettingsSerializer})
    def get(self, request):
        """Get the billing settings"""
        return Response(s.BillingSettingsSerializer(BillingSettings.objects.current()).data)

    @extend_schema(request=s.BillingSettingsSerializer, responses={200: s.BillingSettingsSerializer})
    def patch(self, request):
        """Change the minimum advance payment"""
        serializer = s.BillingSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.update_billing_settings(**serializer.validated_data)
        return Response(s.BillingSettingsSerializer(saved).data)


@extend_schema(tags=["admin: configuration"])
class PaymentSettingsView(ConfigurationView):
    """How residents pay an open invoice: bank account, payment reference, payment provider page."""

    def _respond(self, settings):
        return Response(s.PaymentSettingsSerializer(selectors.payment_settings_view(settings=settings)).data)

    @extend_schema(responses={200: s.PaymentSettingsSerializer})
    def get(self, request):
        """Get the payment settings"""
        return self._respond(PaymentSettings.objects.current())

    @extend_schema(request=s.PaymentSettingsSerializer, responses={200: s.PaymentSettingsSerializer})
    def patch(self, request):
        """Change the payment settings

        Only what is sent changes. An invalid IBAN or BIC, or a provider address that is not https
        or uses an unknown placeholder, is refused with an error on its field; nothing is saved.
        """
        serializer = s.PaymentSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._respond(services.update_payment_settings(changes=dict(serializer.validated_data)))


@extend_schema(tags=["admin: configuration"], responses={200: s.PageSerializer(many=True)})
class PageListView(ConfigurationView):
    """List the pages a message can be put on

    Every page of the portal that can show staff messages, with its label in the caller's language.
    """

    def get(self, request):
        return Response(
            s.PageSerializer(
                [{"key": key, "label": str(label)} for key, label in PAGES.items()], many=True
            ).data
        )


def _message_data(saved) -> dict:
    data = s.PageMessageSerializer(saved.instance).data
    data["warnings"] = WarningSerializer(saved.warnings, many=True).data
    return data


@extend_schema(tags=["admin: messages"])
class PageMessageListView(ConfigurationView):
    """Messages that staff put on the portal's pages, per language, optionally for a period."""

    @extend_schema(
        parameters=[
            OpenApiParameter("page", str, enum=list(PAGES), description="A portal page (not a page number)"),
            OpenApiParameter("kind", str, enum=list(PageMessage.Kind.values)),
            OpenApiParameter("search", str, description="Words in the text, in any language"),
        ],
        responses={200: s.PageMessageSerializer(many=True)},
    )
    def get(self, request):
        """List the page messages

        Every message at once (not paginated), in page order; filter by page and type, search the
        text.
        """
        query = s.PageMessageFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        messages = selectors.page_messages(**query.validated_data)
        return Response(s.PageMessageSerializer(messages, many=True).data)

    @extend_schema(request=s.PageMessageSerializer, responses={201: s.PageMessageSerializer})
    def post(self, request):
        """Add a page message

        The rich text is sanitised against an allow-list; the answer lists warnings, e.g. about
        text colours that are hard to read.
        """
        serializer = s.PageMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.save_page_message(message=None, values=dict(serializer.validated_data))
        return Response(_message_data(saved), status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["admin: messages"],
    request=s.MessagePreviewInput,
    responses={200: s.MessagePreviewSerializer},
)
class PageMessagePreviewView(ConfigurationView):
    """Preview a page message

    The HTML exactly as residents will see it on the page (sanitised against the allow-list, colours
    made readable on the message type's background), its length and the warnings saving it would
    give. Nothing is saved.
    """

    def get_permissions(self):
        return [IsStaff()]  # a preview changes nothing: every staff member may see one

    def post(self, request):
        serializer = s.MessagePreviewInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            s.MessagePreviewSerializer(selectors.message_preview(**serializer.validated_data)).data
        )


@extend_schema(tags=["admin: messages"])
class PageMessageDetailView(ConfigurationView):
    """One message on the portal's pages."""

    def _message(self, message_id: int) -> PageMessage:
        return selectors.page_message(message_id=message_id)

    @extend_schema(responses={200: s.PageMessageSerializer})
    def get(self, request, message_id: int):
        """Get a page message"""
        return Response(s.PageMessageSerializer(self._message(message_id)).data)

    def _save(self, request, message_id: int, partial: bool):
        message = self._message(message_id)
        serializer = s.PageMessageSerializer(message, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        saved = services.save_page_message(message=message, values=dict(serializer.validated_data))
        return Response(_message_data(saved))

    @extend_schema(request=s.PageMessageSerializer, responses={200: s.PageMessageSerializer})
    def put(self, request, message_id: int):
        """Replace a page message

        Everything but the id must be sent; the answer lists warnings, as when it was added.
        """
        return self._save(request, message_id, partial=False)

    @extend_schema(request=s.PageMessageSerializer, responses={200: s.PageMessageSerializer})
    def patch(self, request, message_id: int):
        """Change a page message

        Only what is sent changes; the answer lists warnings, as when it was added.
        """
        return self._save(request, message_id, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, message_id: int):
        """Delete a page message"""
        services.delete_page_message(message=self._message(message_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["admin: emails"], responses={200: s.EmailKindSerializer(many=True)})
class EmailListView(ConfigurationView):
    """List the portal's emails

    Every email the portal sends, with a link to its template per language.
    """

    def get(self, request):
        return Response(s.EmailKindSerializer(customisation.email_overview(), many=True).data)


@extend_schema(tags=["admin: emails"])
class EmailTemplateView(ConfigurationView):
    """One email in one language: the organisation's wording, or the default to start from."""

    def _kind(self, key: str, language: str):
        return customisation.email_kind(key=key, language=language)

    def _data(self, key, language, warnings=()) -> dict:
        kind = self._kind(key, language)
        override = EmailTemplate.objects.filter(template=key, language=language).first()
        source = (
            {"subject": override.subject, "body_text": override.body_text, "body_html": override.body_html}
            if override
            else default_source(template=key, language=language, variables=kind.variables)
        )
        return {
            "key": key,
            "language": language,
            "customised": override is not None,
            **source,
            "variables": [*kind.variables, "organisation_name", "portal_url", "support_email"],
            "warnings": list(warnings),
        }

    @extend_schema(responses={200: s.EmailTemplateSerializer})
    def get(self, request, key: str, language: str):
        """Get an email's wording in one language"""
        return Response(s.EmailTemplateSerializer(self._data(key, language)).data)

    @extend_schema(request=s.EmailTemplateSerializer, responses={200: s.EmailTemplateSerializer})
    def put(self, request, key: str, language: str):
        """Change an email's wording in one language

        The organisation's own subject and texts replace the default; the answer lists warnings,
        e.g. about variables the text does not know.
        """
        self._kind(key, language)
        serializer = s.EmailTemplateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = customisation.save_email_template(key=key, language=language, **serializer.validated_data)
        return Response(s.EmailTemplateSerializer(self._data(key, language, saved.warnings)).data)

    @extend_schema(responses={200: s.EmailTemplateSerializer})
    def delete(self, request, key: str, language: str):
        """Restore an email's default wording

        The organisation's own wording in this language is deleted; the default applies again.
        """
        self._kind(key, language)
        customisation.reset_email_template(key=key, language=language)
        return Response(s.EmailTemplateSerializer(self._data(key, language)).data)
