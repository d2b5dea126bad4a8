"""The frequently asked questions as staff manage them (admins and staff write); anyone reads them\nthrough portal_api.api.help."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import StrictOrderingFilter
from core.api_warnings import WarningSerializer
from memberships.permissions import IsStaff, IsStaffOrAdmin
from support import selectors, services
from support.models import FaqCategory, FaqEntry

# Positions are stored in a PostgreSQL integer column.
MAX_POSITION = 1_000_000


# -- staff ---------------------------------------------------------------------------------------
class FaqCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = FaqCategory
        fields = ["id", "names", "position"]


class FaqEntrySerializer(serializers.ModelSerializer):
    warnings = serializers.SerializerMethodField(
        help_text="Colours in the answers that the FAQ page shows in a more readable shade (low_contrast)."
    )

    class Meta:
        model = FaqEntry
        fields = ["id", "category", "questions", "answers", "position", "published", "warnings"]

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, entry: FaqEntry) -> list[dict]:
        return selectors.faq_entry_warnings(entry)


class FaqAdminMixin:
    def get_permissions(self):
        return [IsStaff()] if self.request.method in permissions.SAFE_METHODS else [IsStaffOrAdmin()]


class FaqCategoryInput(serializers.Serializer):
    names = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=200))
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, default=0)


@extend_schema(tags=["admin: faq"])
class AdminFaqCategoryListView(FaqAdminMixin, generics.ListAPIView):
    """List FAQ categories

    Every category with its name per language, in order.
    """

    serializer_class = FaqCategorySerializer
    pagination_class = None
    queryset = FaqCategory.objects.all()

    @extend_schema(request=FaqCategoryInput, responses={201: FaqCategorySerializer})
    def post(self, request):
        """Add a FAQ category

        With its name per language and its position.
        """
        serializer = FaqCategoryInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.save_faq_category(category=None, **serializer.validated_data)
        return Response(FaqCategorySerializer(category).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["admin: faq"])
class AdminFaqCategoryDetailView(FaqAdminMixin, APIView):
    """One category of the frequently asked questions."""

    @extend_schema(responses={200: FaqCategorySerializer})
    def get(self, request, pk: int):
        """Get a FAQ category"""
        return Response(FaqCategorySerializer(get_object_or_404(FaqCategory, pk=pk)).data)

    @extend_schema(request=FaqCategoryInput, responses={200: FaqCategorySerializer})
    def put(self, request, pk: int):
        """Replace a FAQ category

        Its names per language and its position.
        """
        category = get_object_or_404(FaqCategory, pk=pk)
        serializer = FaqCategoryInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.save_faq_category(category=category, **serializer.validated_data)
        return Response(FaqCategorySerializer(category).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """Delete a FAQ category

        Its questions are deleted with it.
        """
        get_object_or_404(FaqCategory, pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class FaqEntryInput(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=FaqCategory.objects.all())
    questions = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=500))
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=20_000))
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, default=0)
    published = serializers.BooleanField(default=True)


@extend_schema(tags=["admin: faq"])
class AdminFaqEntryListView(FaqAdminMixin, generics.ListAPIView):
    """List FAQ entries

    Every question with its answer per language, published or not, in order (by position, or as
    `ordering` says); filter by category and whether it is published. Not paginated: the FAQ editor
    orders them all at once.
    """

    serializer_class = FaqEntrySerializer
    pagination_class = None
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_fields = ["category", "published"]
    ordering_fields = ["position", "id"]
    queryset = FaqEntry.objects.all()

    @extend_schema(request=FaqEntryInput, responses={201: FaqEntrySerializer})
    def post(self, request):
        """Add a FAQ entry

        A question and its answer per language, in a category; published unless said otherwise.
        """
        serializer = FaqEntryInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.save_faq_entry(entry=None, **serializer.validated_data)
        return Response(FaqEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["admin: faq"])
class AdminFaqEntryDetailView(FaqAdminMixin, APIView):
    """One question of the frequently asked questions."""

    @extend_schema(responses={200: FaqEntrySerializer})
    def get(self, request, pk: int):
        """Get a FAQ entry

        Its question and answer per language, with warnings about colours the FAQ page shows in
        another shade.
        """
        return Response(FaqEntrySerializer(get_object_or_404(FaqEntry, pk=pk)).data)

    @extend_schema(request=FaqEntryInput, responses={200: FaqEntrySerializer})
    def put(self, request, pk: int):
        """Replace a FAQ entry

        Its category, question and answer per language, position and whether it is published.
        """
        serializer = FaqEntryInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.save_faq_entry(entry=get_object_or_404(FaqEntry, pk=pk), **serializer.validated_data)
        return Response(FaqEntrySerializer(entry).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """Delete a FAQ entry"""
        get_object_or_404(FaqEntry, pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class FaqMoveInput(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


@extend_schema(tags=["admin: faq"], request=FaqMoveInput, responses={200: FaqEntrySerializer})
class AdminFaqEntryMoveView(FaqAdminMixin, APIView):
    """Move a FAQ entry up or down

    It swaps places with its neighbour in its category; the category's positions are renumbered
    0, 1, 2 … in the new order. At the top or bottom nothing changes.
    """

    def post(self, request, pk: int):
        serializer = FaqMoveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.move_faq_entry(
            entry=get_object_or_404(FaqEntry, pk=pk), direction=serializer.validated_data["direction"]
        )
        return Response(FaqEntrySerializer(entry).data)
