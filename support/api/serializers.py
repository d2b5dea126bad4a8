"""Help requests as the resident API and the staff API both show them."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Ticket, TicketMessage


class TicketMessageSerializer(serializers.ModelSerializer):
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = TicketMessage
        fields = ["author", "body", "created_at", "has_attachment", "attachment_name"]

    def get_has_attachment(self, message) -> bool:
        return bool(message.attachment)


class TicketSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "kind",
            "kind_label",
            "subject",
            "status",
            "status_label",
            "created_at",
            "updated_at",
        ]


class TicketDetailSerializer(TicketSerializer):
    messages = TicketMessageSerializer(many=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "name", "email", "customer", "messages"]
