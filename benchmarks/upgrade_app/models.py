from django.db import models


class Probe(models.Model):
    """A tiny table in every organisation's schema; ``revision`` is what the benchmark's release adds."""

    name = models.CharField(max_length=40)
    revision = models.IntegerField(null=True, blank=True)  # migration 0002, the upgrade

    def __str__(self) -> str:
        return self.name
