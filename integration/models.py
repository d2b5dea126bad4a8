"""Records of imports from the billing system (tenant schema)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One call of the import API: what it received, what it wrote, which rows it refused."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor_email = models.EmailField(blank=True)
    summary = models.JSONField(default=dict)
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"import {self.pk} at {self.started_at}"
