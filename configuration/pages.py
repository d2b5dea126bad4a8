"""The pages of the resident portal that staff can put a message on."""

from django.utils.translation import gettext_lazy as _

PAGES = {
    "home": _("Homepage"),
    "login": _("Log in"),
    "register": _("Register"),
    "overview": _("Overview"),
    "consumption": _("Consumption"),
    "invoices": _("Invoices"),
    "statements": _("Statements"),
    "charges": _("Charges"),
    "transactions": _("Payments"),
    "documents": _("Documents"),
    "my_details": _("My details"),
    "move_in": _("Moving in"),
    "move_out": _("Moving out"),
    "help": _("Help and contact"),
    "faq": _("Frequently asked questions"),
    "tickets": _("Your questions"),
    "password": _("Password pages (forgot, reset, change)"),
}
PAGE_CHOICES = list(PAGES.items())
