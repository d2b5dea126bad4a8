from django.apps import AppConfig


class StaffConsoleConfig(AppConfig):
    """The staff console's delivery layer: the shell page and its built assets (docs/staff-console.md)."""

    name = "staff_console"
    verbose_name = "Staff console"
