"""Cross-site scripting attempts against the rich-text sanitiser and the SVG upload check."""

from __future__ import annotations

import io

import pytest

from configuration.rich_text import sanitise
from configuration.uploads import UploadRejected, check_logo

XSS_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<p onclick=alert(1)>x</p>",
    "<p onmouseover='alert(1)'>x</p>",
    '<span style="background-image:url(javascript:alert(1))">x</span>',
    '<span style="color: expression(alert(1))">x</span>',
    '<span style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</span>',
    '<p style="color:red;behavior:url(x.htc)">x</p>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<video><source onerror=alert(1)></video>",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '<h2 style="color:red" onmouseenter=alert(1)>t</h2>',
    "<template><script>alert(1)</script></template>",
]
DANGEROUS = (
    "<script",
    "onerror",
    "onload",
    "onclick",
    "onmouse",
    "onfocus",
    "ontoggle",
    "javascript:",
    "vbscript:",
    "expression(",
    "url(",
    "<iframe",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<style",
    "<meta",
    "<base",
    "<link",
    "<svg",
    "<img",
    "data:text",
    "position",
    "behavior",
)


@pytest.mark.parametrize("payload", XSS_HTML)
def test_sanitiser_removes_everything_dangerous(payload):
    cleaned = sanitise(payload).lower()
    for marker in DANGEROUS:
        assert marker not in cleaned, (payload, cleaned)


def test_sanitiser_keeps_the_allowed_formatting():
    html = (
        "<h2>Title</h2><p>Text <strong>bold</strong> <em>italic</em> <u>under</u> <s>struck</s></p>"
        "<ol><li>one</li></ol><ul><li>two</li></ul>"
        '<p><span style="color: #ff0000; background-color: yellow">coloured</span></p>'
        '<p><a href="https://example.be/info" title="More">link</a> <a href="mailto:help@example.be">mail</a></p>'
    )
    cleaned = sanitise(html)
    for kept in (
        "<h2>Title</h2>",
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<u>under</u>",
        "<s>struck</s>",
        "<ol><li>one</li></ol>",
        "<ul><li>two</li></ul>",
        'style="color: #ff0000; background-color: yellow"',
        'href="https://example.be/info"',
        'href="mailto:help@example.be"',
        'rel="noopener noreferrer nofollow"',
    ):
        assert kept in cleaned, kept


def svg(body: str, root_attributes: str = "") -> io.BytesIO:
    return io.BytesIO(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {root_attributes}>{body}</svg>'.encode()
    )


XSS_SVG = [
    svg("<script>alert(1)</script>"),
    svg('<script xlink:href="//evil.example/x.js"/>'),
    svg("", 'onload="alert(1)"'),
    svg('<rect width="10" height="10" onclick="alert(1)"/>'),
    svg('<g onmouseover="alert(1)"/>'),
    svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'),
    svg('<image href="https://evil.example/tracker.png"/>'),
    svg('<image xlink:href="https://evil.example/tracker.png"/>'),
    svg('<use xlink:href="https://evil.example/sprite.svg#x"/>'),
    svg('<a href="javascript:alert(1)"><text>x</text></a>'),
    svg('<a xlink:href="javascript:alert(1)"><text>x</text></a>'),
    svg("<style>@import url(https://evil.example/x.css);</style>"),
    svg("<style>rect { fill: url(https://evil.example/x.svg#p) }</style>"),
    svg('<rect style="fill:url(https://evil.example/p)"/>'),
    svg('<animate attributeName="href" values="javascript:alert(1)"/>'),
    svg('<set attributeName="onmouseover" to="alert(1)"/>'),
    svg('<iframe src="https://evil.example"/>'),
    svg('<handler type="text/javascript">alert(1)</handler>'),
    io.BytesIO(
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    ),
    io.BytesIO(
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    ),
]


@pytest.mark.parametrize("upload", XSS_SVG, ids=range(len(XSS_SVG)))
def test_svg_with_active_or_external_content_is_refused(upload):
    with pytest.raises(UploadRejected) as caught:
        check_logo(upload)
    assert caught.value.field == "logo"
    assert caught.value.code in {"unsafe_svg", "invalid_file_type"}


def test_clean_svg_is_accepted():
    checked = check_logo(
        svg(
            '<defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)"/><use href="#g"/>'
        )
    )
    assert checked.kind == "svg"
    assert checked.filename.endswith(".svg")


def test_at_least_thirty_payloads_are_tried():
    assert len(XSS_HTML) + len(XSS_SVG) >= 30
