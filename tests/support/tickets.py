"""Help requests (support tickets) and their attachments."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.billing_data import billing_customer
from tests.support.residents import resident_client


def pdf(catalogue: bytes = b"<</Type/Catalog/Pages 2 0 R>>") -> bytes:
    """A small PDF with a correct cross-reference table."""
    objects = [
        catalogue,
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj" % number + obj + b"endobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, format=kind)
    return buffer.getvalue()


@pytest.fixture
def resident(db, client_for):
    data = billing_customer()
    return data, resident_client(client_for, data)


def new_ticket(client, attachment=None, **fields):
    body = {"kind": "payment_notice", "subject": "Paid", "message": "See proof", **fields}
    if attachment is not None:
        body["attachment"] = attachment
    return client.post("/api/support/tickets/", body, format="multipart")
