"""One set of file rules (core.files) behind every upload: the same hostile files are refused, and
the same good files taken, by logos, favicons, documents (staff upload and the billing import),
help-request attachments and meter photos, each in its own words."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from configuration.uploads import FAVICON, LOGO
from core.files import FileRefused, Problem, check_upload
from documents.content import DOCUMENT
from documents.models import Document
from moves.models import MeterPhoto
from moves.photos import PHOTO
from support.attachments import ATTACHMENT
from support.models import Ticket
from tests.support.billing_data import billing_customer, minimal_pdf, object_ids
from tests.support.configuration import PREFS, blank_png
from tests.support.integration import CUSTOMER, post
from tests.support.moves import put, start
from tests.support.staff import staff_client

EVIL = "https://evil.example"
RULES = {"logo": LOGO, "favicon": FAVICON, "document": DOCUMENT, "attachment": ATTACHMENT, "photo": PHOTO}


# -- files ---------------------------------------------------------------------------------------
def image(kind: str, size=(24, 12)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=kind)
    return buffer.getvalue()


def pdf(catalog: bytes = b"<</Type/Catalog/Pages 2 0 R>>", *more: bytes) -> bytes:
    """A PDF with a cross-reference table: the catalog, one page, and ``more`` objects (4, 5, ...)."""
    objects = [
        catalog,
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate([*objects, *more], start=1):
        offsets.append(len(body))
        body += b"%d 0 obj" % number + obj + b"endobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)


def pdf_with_object_stream(
    catalog: bytes, *, filters: bytes = b"/FlateDecode", encode=zlib.compress
) -> bytes:
    """A PDF 1.5 whose catalog and page tree are compressed in an object stream, found through a
    cross-reference stream, as modern writers make them."""
    inner = [
        catalog,
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>",
    ]
    pairs, position = [], 0
    for number, obj in enumerate(inner, start=1):
        pairs.append(b"%d %d" % (number, position))
        position += len(obj) + 1
    header = b" ".join(pairs) + b"\n"
    data = encode(header + b"".join(obj + b"\n" for obj in inner))
    out = b"%PDF-1.5\n"
    stream_at = len(out)
    out += b"4 0 obj<</Type/ObjStm/N 3/First %d/Filter%s/Length %d>>stream\n" % (
        len(header),
        filters,
        len(data),
    )
    out += data + b"\nendstream endobj\n"
    xref_at = len(out)

    def row(kind: int, field: int, index: int) -> bytes:
        return bytes([kind]) + field.to_bytes(4, "big") + index.to_bytes(2, "big")

    rows = (
        row(0, 0, 65535)
        + b"".join(row(2, 4, i) for i in range(3))
        + row(1, stream_at, 0)
        + row(1, xref_at, 0)
    )
    out += b"5 0 obj<</Type/XRef/Size 6/W[1 4 2]/Root 1 0 R/Length %d>>stream\n" % len(rows)
    return out + rows + b"\nendstream endobj\nstartxref\n%d\n%%%%EOF\n" % xref_at


def svg(body: str, attributes: str = "") -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {attributes}>{body}</svg>'.encode()


def weasyprint_pdf() -> bytes:
    return HTML(string=f"<h1>Tariffs</h1><p><a href='{EVIL}/'>our site</a></p>").write_pdf()


JS_ACTION = b"<</S/JavaScript/JS(app.alert(1))>>"
HOSTILE_PDF = {
    "pdf_open_action_javascript": pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction" + JS_ACTION + b">>"),
    "pdf_names_javascript": pdf(
        b"<</Type/Catalog/Pages 2 0 R/Names<</JavaScript 4 0 R>>>>", b"<</Names[(a)5 0 R]>>", JS_ACTION
    ),
    "pdf_launch_behind_a_reference": pdf(
        b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>", b"<</S/Launch/F(calc.exe)>>"
    ),
    "pdf_escaped_names": pdf(
        b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>"
    ),
    "pdf_open_action_uri": pdf(
        b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/URI/URI(" + EVIL.encode() + b")>>>>"
    ),
    "pdf_additional_action_escaped": pdf(
        b"<</Type/Catalog/Pages 2 0 R/A#41<</WC<</S/URI/URI(https://e.example)>>>>>>"
    ),
    "pdf_embedded_file": pdf(
        b"<</Type/Catalog/Pages 2 0 R/Names<</EmbeddedFiles<</Names[(x.exe)4 0 R]>>>>>>",
        b"<</Type/Filespec/F(x.exe)>>",
    ),
    "pdf_javascript_in_object_stream": pdf_with_object_stream(
        b"<</Type/Catalog/Pages 2 0 R/OpenAction" + JS_ACTION + b">>"
    ),
    "pdf_object_stream_that_cannot_be_inspected": pdf_with_object_stream(
        b"<</Type/Catalog/Pages 2 0 R/OpenAction" + JS_ACTION + b">>",
        filters=b"/ASCIIHexDecode",
        encode=lambda data: data.hex().encode() + b">",
    ),
}
HOSTILE_SVG = {
    "svg_script": svg("<script>alert(1)</script>"),
    "svg_onload": svg('<rect width="9" height="9"/>', 'onload="alert(1)"'),
    "svg_foreign_object": svg(
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
    ),
    "svg_external_href": svg(f'<use href="{EVIL}/sprite.svg#logo"/>'),
    "svg_xlink_href_to_http": svg('<use xlink:href="http://evil.example/sprite.svg#logo"/>'),
    "svg_style_url": svg(f'<rect width="9" height="9" style="fill: url({EVIL}/pixel)"/>'),
    "svg_style_sheet_import": svg(f"<style>@import url({EVIL}/x.css);</style>"),
    "svg_set_javascript": svg('<a><set attributeName="href" to="javascript:alert(1)"/></a>'),
    "svg_unknown_attribute": svg('<rect width="9" height="9" formaction="x"/>'),
}
PNG = image("PNG")
HOSTILE_OTHER = {
    "png_header_then_html": b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
    "png_then_html": PNG + b"<html><script>alert(1)</script></html>",
    "truncated_png": PNG[: len(PNG) // 2],
    "truncated_jpeg": image("JPEG", (200, 100))[:300],
    "text_named_png": b"just some text, named logo.png",
    "html": b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
    "pdf_that_is_html": b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF",
    "gif": b"GIF89a" + PNG[8:],
    "empty": b"",
}
BOMB = {"decompression_bomb": blank_png(20000, 20000)}  # 400 million pixels in about 50 KB
HOSTILE = {**HOSTILE_PDF, **HOSTILE_SVG, **HOSTILE_OTHER, **BOMB}


def expected_problem(name: str, path: str) -> Problem:
    """The same rule for every path: a hostile file of a kind the path takes is unsafe, of another
    kind the wrong type; a bomb has too many pixels; an empty file is empty."""
    accept = RULES[path].accept
    if name in BOMB:
        return Problem.TOO_MANY_PIXELS
    if name == "empty":
        return Problem.EMPTY
    if name in HOSTILE_PDF:
        return Problem.UNSAFE if "pdf" in accept else Problem.WRONG_TYPE
    if name in HOSTILE_SVG:
        return Problem.UNSAFE if "svg" in accept else Problem.WRONG_TYPE
    return Problem.WRONG_TYPE


GOOD = {
    "png": (image("PNG"), {"logo", "document", "attachment", "photo"}),
    "jpeg": (image("JPEG"), {"logo", "document", "attachment", "photo"}),
    "webp": (image("WEBP"), {"photo"}),
    "ico": (image("ICO", (32, 32)), {"favicon"}),
    "svg": (
        svg(
            '<defs><linearGradient id="g"><stop offset="0" stop-color="#1a7f37"/></linearGradient></defs>'
            '<rect width="10" height="10" fill="url(#g)" style="stroke: url(#g)"/><use xlink:href="#g"/>'
            '<text x="1" y="9" font-family="sans-serif">Noord</text>'
        ),
        {"logo"},
    ),
    "pdf": (minimal_pdf("fine"), {"document", "attachment"}),
    "pdf_open_action_destination": (
        pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction[3 0 R/Fit]>>"),
        {"document", "attachment"},
    ),
    "pdf_with_object_stream": (
        pdf_with_object_stream(b"<</Type/Catalog/Pages 2 0 R>>"),
        {"document", "attachment"},
    ),
    "pdf_weasyprint_with_a_link": (weasyprint_pdf(), {"document", "attachment"}),
}


# -- the rules, without HTTP -----------------------------------------------------------------------
def test_the_hostile_pdfs_are_real_for_a_pdf_reader():
    """What the PDF check refuses is what a reader would act on (pypdf reads the object stream)."""
    hidden = PdfReader(io.BytesIO(HOSTILE_PDF["pdf_javascript_in_object_stream"])).trailer["/Root"]
    assert hidden["/OpenAction"]["/S"] == "/JavaScript"
    escaped = PdfReader(io.BytesIO(HOSTILE_PDF["pdf_escaped_names"])).trailer["/Root"]
    assert escaped["/OpenAction"]["/S"] == "/JavaScript"
    good = PdfReader(io.BytesIO(GOOD["pdf_with_object_stream"][0]))
    assert len(good.pages) == 1


@pytest.mark.parametrize("path", RULES)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_every_path_refuses_every_hostile_file_for_the_same_reason(path):
    wrong = {}
    for name, content in HOSTILE.items():
        try:
            check_upload(content, RULES[path], field="file")
        except FileRefused as refused:
            if refused.problem != expected_problem(name, path):
                wrong[name] = refused.problem
        else:
            wrong[name] = "accepted"
    assert wrong == {}


@pytest.mark.parametrize("path", RULES)
def test_every_path_takes_the_good_files_of_its_kinds(path):
    for name, (content, paths) in GOOD.items():
        if path in paths:
            assert check_upload(content, RULES[path], field="file").content, name
        else:
            with pytest.raises(FileRefused) as refused:
                check_upload(content, RULES[path], field="file")
            assert refused.value.problem == Problem.WRONG_TYPE, name


def test_a_photo_is_stored_as_a_fresh_jpeg_and_other_files_as_they_are():
    photo = check_upload(image("PNG", (3000, 1500)), PHOTO, field="photo")
    assert photo.kind == "jpeg"
    assert photo.filename.endswith(".jpg")
    with Image.open(io.BytesIO(photo.content)) as decoded:
        assert decoded.size == (2400, 1200)
    document = check_upload(PNG, DOCUMENT, field="file")
    assert (document.content, document.media_type) == (PNG, "image/png")


def test_a_phone_camera_jpeg_with_more_pictures_is_a_jpeg():
    """Phones write MPO (a JPEG followed by more pictures): it passes where a JPEG does."""
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), "#1a7f37"), Image.new("RGB", (40, 30), "#0b5394")
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    mpo = buffer.getvalue()
    with Image.open(io.BytesIO(mpo)) as opened:
        assert (opened.format, opened.n_frames) == ("MPO", 2)
    photo = check_upload(mpo, PHOTO, field="photo")
    assert (photo.kind, photo.media_type) == ("jpeg", "image/jpeg")
    with Image.open(io.BytesIO(photo.content)) as decoded:
        assert (decoded.format, decoded.size) == ("JPEG", (40, 30))
    assert check_upload(mpo, DOCUMENT, field="file").media_type == "image/jpeg"


def test_an_ico_hiding_a_huge_png_is_too_large_before_it_is_decoded():
    icon = bytearray(image("ICO", (16, 16)))
    inner = blank_png(20000, 20000)
    (offset,) = struct.unpack_from("<I", icon, 18)
    icon = bytes(icon[:offset]) + inner
    with pytest.raises(FileRefused) as refused:
        check_upload(icon, FAVICON, field="favicon")
    assert refused.value.problem == Problem.TOO_MANY_PIXELS


# -- every upload path, through the API ----------------------------------------------------------
WRONG, PIXELS, UNSAFE = Problem.WRONG_TYPE, Problem.TOO_MANY_PIXELS, Problem.UNSAFE
WORDING = {
    "logo": {
        WRONG: ("invalid_file_type", "Upload a PNG, JPG or SVG image."),
        PIXELS: ("image_too_large", "The image is too large: at most 4096 pixels wide and 4096 pixels high."),
        UNSAFE: ("unsafe_svg", "The SVG"),  # then what exactly is wrong
    },
    "favicon": {
        WRONG: ("invalid_file_type", "Upload an ICO file."),
        PIXELS: ("image_too_large", "The image is too large: at most 256 pixels wide and 256 pixels high."),
    },
    "document": {WRONG: ("invalid_file_type", "Documents must be PDF, PNG or JPEG files.")},
    "document_import": {WRONG: (None, "Documents must be PDF, PNG or JPEG files.")},
    "attachment": {WRONG: ("invalid_file_type", "Attach a PDF, PNG or JPEG file.")},
    "photo": {
        WRONG: ("invalid_file_type", "Upload a JPEG, PNG or WebP photo."),
        PIXELS: ("file_too_large", "The photo has too many pixels."),
    },
}


class Uploads:
    """Sends one file through one upload path; says how it was refused (code, message) or None,
    and how many files that path has stored."""

    def __init__(self, client_for, site, integration):
        self.staff = staff_client(client_for("portal.noord.test"))
        self.visitor = client_for("portal.noord.test")
        self.integration = integration
        self.customer = billing_customer()
        self.customer_id = object_ids(self.customer)["customer"]
        self.site = site
        self.move_in = start(site["client"])
        assert put(site["client"], self.move_in, 1, {"location_id": site["location"].pk}).status_code == 200

    def send(self, path: str, name: str, content: bytes) -> tuple[str | None, str] | None:
        upload = SimpleUploadedFile(f"{name}.png", content)
        if path in ("logo", "favicon"):
            response = self.staff.patch(PREFS, {path: upload}, format="multipart")
        elif path == "document":
            fields = {"customer": self.customer_id, "title": "Letter", "document_date": "2025-01-01"}
            response = self.staff.post(
                "/api/admin/documents/", {**fields, "file": upload}, format="multipart"
            )
        elif path == "document_import":
            return self._import(content)
        elif path == "attachment":
            cache.delete_pattern("throttle:tickets:*")  # 20 an hour; this sends more
            fields = {
                "kind": "question",
                "subject": "See",
                "message": "Attached",
                "name": "V",
                "email": "v@example.test",
            }
            response = self.visitor.post(
                "/api/support/tickets/", {**fields, "attachment": upload}, format="multipart"
            )
        else:
            meter = self.site["meters"][0]
            response = self.site["client"].post(
                f"/api/moves/move-in/{self.move_in}/photos/",
                {"meter_id": meter, "photo": upload},
                format="multipart",
            )
        if response.status_code in (200, 201):
            return None
        body = response.json()
        assert (response.status_code, set(body)) == (400, {"code", _field(path)}), (name, body)
        return body["code"], body[_field(path)][0]

    def _import(self, content: bytes):
        row = {
            "external_id": "doc-1",
            "customer_external_id": CUSTOMER["external_id"],
            "title": "Tariffs",
            "category": "tariff",
            "document_date": "2025-01-01",
            "filename": "tariffs.pdf",
            "content_base64": base64.b64encode(content).decode(),
        }
        body = post(self.integration, {"customers": [CUSTOMER], "documents": [row]}).json()["documents"]
        if not body["errors"]:
            return None
        assert body["errors"][0]["errors"].keys() == {"content_base64"}
        return None, body["errors"][0]["errors"]["content_base64"][0]

    def stored(self, path: str) -> int:
        with schema_context("org_noord"):
            if path in ("logo", "favicon"):
                return int(self.staff.get(PREFS).json()[f"{path}_url"] is not None)
            if path in ("document", "document_import"):
                return Document.objects.count()
            if path == "attachment":
                return Ticket.objects.count()
            return MeterPhoto.objects.count()


def _field(path: str) -> str:
    return {"document": "file", "attachment": "attachment", "photo": "photo"}.get(path, path)


@pytest.fixture
def uploads(db, client_for, site, integration):
    return Uploads(client_for, site, integration)


PATHS = [*RULES, "document_import"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_every_upload_path_refuses_the_hostile_files_in_its_own_words(uploads, path):
    before = uploads.stored(path)
    wrong = {}
    for name, content in HOSTILE.items():
        if name == "empty":
            continue  # the API's file fields refuse an empty file before any check of content
        problem = expected_problem(name, "document" if path == "document_import" else path)
        code, message = WORDING[path].get(problem, WORDING[path][WRONG])
        refused = uploads.send(path, name, content)
        if refused is None or refused[0] != code or not refused[1].startswith(message):
            wrong[name] = refused
    assert wrong == {}
    assert uploads.stored(path) == before


@pytest.mark.parametrize("path", PATHS)
def test_every_upload_path_takes_the_good_files(uploads, path):
    taken = [name for name, (_content, paths) in GOOD.items() if path.removesuffix("_import") in paths]
    for name in taken:
        assert uploads.send(path, name, GOOD[name][0]) is None, name
    assert uploads.stored(path) >= 1
