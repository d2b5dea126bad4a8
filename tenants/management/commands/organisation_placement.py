"""Where organisations live on the database's nodes; move one to another node (Citus)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tenants import placement
from tenants.errors import PlacementError
from tenants.models import Organisation, SchemaMove


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"  # unreachable


class Command(BaseCommand):
    help = (
        "Without options: every node (organisations, size) and every organisation's node and size. "
        "With --move <slug> --to host:port: move that organisation now (Citus only) and wait for it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--move", metavar="SLUG", help="the organisation to move")
        parser.add_argument("--to", metavar="HOST:PORT", help="the node to move it to")

    def handle(self, *args, move: str | None, to: str | None, **options) -> None:
        if move or to:
            if not (move and to):
                raise CommandError("--move and --to go together: --move <slug> --to host:port.")
            self.move(move, to)
            return
        self.overview()

    def overview(self) -> None:
        overview = placement.placement_overview()
        organisations = placement.organisations_by_node()
        counts: dict[str | None, int] = {}
        for row in organisations:
            counts[row["node"]] = counts.get(row["node"], 0) + 1
        kind = "a Citus cluster" if overview["distributed"] else "one PostgreSQL server"
        self.stdout.write(f"Nodes ({kind}):")
        for node in overview["nodes"]:
            role = "" if node["accepts_organisations"] else "  (holds no organisations)"
            self.stdout.write(
                f"  {node['name']:<24} organisations {counts.get(node['name'], 0):>5}"
                f"  schemas {node['schemas']:>5}  size {human_size(node['size_bytes']):>10}{role}"
            )
        self.stdout.write("Organisations:")
        for row in organisations:
            self.stdout.write(
                f"  {row['slug']:<24} {row['node'] or '(not distributed)':<24}"
                f" {human_size(row['size_bytes']):>10}"
            )

    def move(self, slug: str, node: str) -> None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {slug!r}.")
        try:
            requested = placement.request_move(organisation=organisation, node=node, publish=False)
        except PlacementError as exc:
            where = f"{exc.field}: " if exc.field else ""
            raise CommandError(f"{where}{exc.message}") from exc
        self.stdout.write(f"Moving {slug} from {requested.source_node} to {requested.target_node}...")
        done = placement.run_move(move_id=requested.pk)  # here and now, outside any transaction
        if done.status != SchemaMove.Status.DONE:
            raise CommandError(f"The move failed after {done.seconds or 0:.1f} s: {done.error}")
        self.stdout.write(
            self.style.SUCCESS(f"Moved {slug} to {done.target_node} in {done.seconds or 0:.1f} s.")
        )
