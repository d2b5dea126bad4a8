"""Account deletion (issue 19): asking, the emailed link, and counting what a deletion leaves."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tests.support.factories import last_link
from tests.support.residents import PASSWORD

URL = "/api/portal/account-deletion/"
CONFIRM = "/api/portal/account-deletion/confirm/"
TEMPLATE = "account_deletion_confirm"


def ask(client, password: str = PASSWORD, **body):
    return client.post(URL, {"password": password, **body}, format="json")


def emailed_token(email: str, schema: str = "org_noord") -> str:
    return last_link(schema, email, TEMPLATE, "/delete-account/confirm/")


def billing_rows(customer_id: int, schema: str = "org_noord") -> dict[str, int]:
    """What the organisation keeps for billing and the law: these never change with a deletion."""
    from consumption.models import RegisterReading
    from contracts.models import Contract
    from customers.models import Customer, CustomerAddress
    from documents.models import Document
    from invoicing.models import Invoice, Transaction

    with schema_context(schema):
        return {
            "customer": Customer.objects.filter(pk=customer_id).count(),
            "addresses": CustomerAddress.objects.filter(customer_id=customer_id).count(),
            "contracts": Contract.objects.filter(customer_id=customer_id).count(),
            "invoices": Invoice.objects.filter(customer_id=customer_id).count(),
            "transactions": Transaction.objects.filter(customer_id=customer_id).count(),
            "documents": Document.objects.filter(customer_id=customer_id).count(),
            "readings": RegisterReading.objects.count(),
        }
