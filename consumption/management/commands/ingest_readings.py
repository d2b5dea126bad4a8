"""Load meter readings from a CSV or JSON file into one organisation, in batches, with progress."""

from __future__ import annotations

import csv
from itertools import islice
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context
from tqdm import tqdm

from consumption.ingestion import ingest, rows_from_json
from core.errors import RequestRefused
from core.parsers import load_json
from tenants.models import Organisation


def _batches(rows, size: int):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class Command(BaseCommand):
    help = "Ingest meter readings (CSV with header meter,timestamp,kind,value,source, or JSON) for an organisation."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV or JSON file")
        parser.add_argument("--organisation", required=True, help="Organisation slug")
        parser.add_argument("--format", choices=["csv", "json"], help="Default: from the file extension")
        parser.add_argument("--batch", type=int, default=100_000, help="Readings per transaction")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {options['organisation']!r}")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        kind = options["format"] or ("json" if path.suffix.lower() == ".json" else "csv")
        try:
            accepted, errors, duplicates, shown = self._ingest(path, kind, organisation, options)
        except (ValueError, csv.Error, RequestRefused) as exc:  # malformed, too deep, or not UTF-8
            raise CommandError(f"{path} cannot be read as {kind.upper()}: {exc}") from exc
        for error in shown:
            self.stderr.write(f"row {error['index'] + 1}: {error['errors']}")
        summary = f"{accepted} readings stored, {errors} refused"
        if duplicates:
            summary += f", {duplicates} duplicates discarded"
        self.stdout.write(self.style.SUCCESS(f"{summary}."))

    def _ingest(self, path: Path, kind: str, organisation, options) -> tuple[int, int, int, list[dict]]:
        """Ingest the file batch by batch (a transaction each); the first 20 row errors are kept.

        Duplicates are found within each batch (a reading repeated in another batch is an
        idempotent upsert of the same row)."""
        with path.open(encoding="utf-8-sig") as handle:
            if kind == "csv":
                total = max(sum(1 for _ in handle) - 1, 0)
                handle.seek(0)
                rows = csv.DictReader(handle)
            else:
                rows = list(rows_from_json(load_json(handle.read())))
                total = len(rows)
            accepted = errors = duplicates = 0
            shown = []
            with (
                schema_context(organisation.schema_name),
                tqdm(total=total, unit="rows", disable=options["verbosity"] == 0) as bar,
            ):
                offset = 0
                for batch in _batches(rows, options["batch"]):
                    result = ingest(rows=batch, organisation=organisation)
                    accepted += result.accepted
                    errors += result.error_count
                    duplicates += result.duplicate_count
                    shown += [
                        {**error, "index": error["index"] + offset}
                        for error in result.errors[: 20 - len(shown)]
                    ]
                    offset += len(batch)
                    bar.update(len(batch))
        return accepted, errors, duplicates, shown
