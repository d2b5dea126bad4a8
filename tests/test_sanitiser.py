"""Cross-site scripting attempts against the rich-text sanitiser and the SVG upload check."""

from __future__ import annotations

import io

import pytest

from configuration.rich_text import sanitise
from configuration.uploads import check_logo
from core.files import FileRefused

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


def svg(body: str, root_attributes: str = "") -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f"{root_attributes}>{body}</svg>"
    ).encode()


EVIL = "https://evil.example"
UNSAFE, NOT_SVG = "unsafe_svg", "invalid_file_type"
# (file content, the code it must be refused with)
XSS_SVG = [
    (svg("<script>alert(1)</script>"), UNSAFE),
    (svg('<script xlink:href="//evil.example/x.js"/>'), UNSAFE),
    (svg("", 'onload="alert(1)"'), UNSAFE),
    (svg('<rect width="10" height="10" onclick="alert(1)"/>'), UNSAFE),
    (svg('<g onmouseover="alert(1)"/>'), UNSAFE),
    (svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'), UNSAFE),
    (svg(f'<image href="{EVIL}/tracker.png"/>'), UNSAFE),
    (svg(f'<image xlink:href="{EVIL}/tracker.png"/>'), UNSAFE),
    (svg(f'<use xlink:href="{EVIL}/sprite.svg#x"/>'), UNSAFE),
    (svg('<a href="javascript:alert(1)"><text>x</text></a>'), UNSAFE),
    (svg('<a xlink:href="javascript:alert(1)"><text>x</text></a>'), UNSAFE),
    (svg(f"<style>@import url({EVIL}/x.css);</style>"), UNSAFE),
    (svg(f"<style>rect {{ fill: url({EVIL}/x.svg#p) }}</style>"), UNSAFE),
    (svg(f'<rect style="fill:url({EVIL}/p)"/>'), UNSAFE),
    (svg('<animate attributeName="href" values="javascript:alert(1)"/>'), UNSAFE),
    (svg('<set attributeName="onmouseover" to="alert(1)"/>'), UNSAFE),
    (svg(f'<iframe src="{EVIL}"/>'), UNSAFE),
    (svg('<handler type="text/javascript">alert(1)</handler>'), UNSAFE),
    (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        UNSAFE,
    ),
    (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        UNSAFE,
    ),
    # url(...) in presentation attributes, not only in style
    (svg(f'<rect width="10" height="10" fill="url({EVIL}/p.svg#g)"/>'), UNSAFE),
    (svg(f'<rect width="10" height="10" filter="url({EVIL}/f.svg#f)"/>'), UNSAFE),
    (svg('<rect width="10" height="10" mask="url(//evil.example/m.svg#m)"/>'), UNSAFE),
    (svg(f'<rect width="10" height="10" clip-path="url(\'{EVIL}/c.svg#c\')"/>'), UNSAFE),
    (svg(f'<path d="M0 0 L10 10" marker-end="url({EVIL}/m.svg#arrow)"/>'), UNSAFE),
    (svg(f'<path d="M0 0 L10 10" marker-start="url( {EVIL}/m.svg#arrow )"/>'), UNSAFE),
    (svg(f"<rect style=\"mask-image: image-set('{EVIL}/m.png' 1x)\"/>"), UNSAFE),
    # processing instructions, which ElementTree would silently drop
    (
        f'<?xml version="1.0"?><?xml-stylesheet type="text/css" href="{EVIL}/x.css"?>'.encode()
        + svg('<rect width="10" height="10"/>'),
        UNSAFE,
    ),
    (svg('<?xml-stylesheet href="https://evil.example/x.css"?><rect width="10" height="10"/>'), UNSAFE),
    # CSS escapes spelling @import or url( in disguise
    (svg(f'<style>@\\69mport "{EVIL}/x.css";</style>'), UNSAFE),
    (svg(f'<rect style="fill:u\\72l({EVIL}/p)"/>'), UNSAFE),
    (svg(f"<style>rect {{ fill: \\75rl({EVIL}/p) }}</style>"), UNSAFE),
    (svg(f"<style><![CDATA[@import url({EVIL}/x.css);]]></style>"), UNSAFE),
    # elements of other vocabularies, and an external base
    (svg(f'<img xmlns="http://www.w3.org/1999/xhtml" src="{EVIL}/t.png"/>'), UNSAFE),
    (svg(f'<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="{EVIL}"/>'), UNSAFE),
    (svg('<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>'), UNSAFE),
    (svg('<unknown xmlns=""/>'), UNSAFE),
    (svg('<use href="#g"/>', f'xml:base="{EVIL}/"'), UNSAFE),
    # not an SVG image at all: a wrong file type, not an unsafe SVG
    (b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>", NOT_SVG),
    (b"<html><body><script>alert(1)</script></body></html>", NOT_SVG),
    (b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>logo</p></body></html>', NOT_SVG),
    (b'<?xml version="1.0"?><note><to>x</to></note>', NOT_SVG),
    (b"<svg><script>alert(1)</script></svg>", NOT_SVG),  # no SVG namespace: browsers show no image
    (b'<?xml version="1.0" encoding="bogus"?><svg xmlns="http://www.w3.org/2000/svg"/>', NOT_SVG),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', NOT_SVG),
]


@pytest.mark.parametrize(("content", "code"), XSS_SVG, ids=range(len(XSS_SVG)))
def test_svg_with_active_or_external_content_is_refused(content, code):
    with pytest.raises(FileRefused) as caught:
        check_logo(io.BytesIO(content))
    assert caught.value.field == "logo"
    assert caught.value.code == code, caught.value.message


CLEAN_SVG = [
    svg('<defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)"/><use href="#g"/>'),
    svg(
        '<defs><clipPath id="c"><rect width="5" height="5"/></clipPath></defs>'
        '<rect width="10" height="10" clip-path="url(\'#c\')" style="fill: url( #c )"/>'
        "<style>rect { fill: #1a7f37; }</style>"
    ),
    b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n' + svg('<circle r="4"/>'),
    # what Inkscape leaves behind: editor and licence metadata in namespaces browsers ignore
    svg(
        '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:zoom="1"/>'
        '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<cc:Work><dc:title>Logo</dc:title></cc:Work></rdf:RDF></metadata><rect width="10" height="10"/>'
    ),
]


@pytest.mark.parametrize("content", CLEAN_SVG, ids=range(len(CLEAN_SVG)))
def test_clean_svg_is_accepted(content):
    checked = check_logo(io.BytesIO(content))
    assert checked.kind == "svg"
    assert checked.filename.endswith(".svg")
    assert checked.content == content


def test_at_least_thirty_payloads_are_tried():
    assert len(XSS_HTML) + len(XSS_SVG) >= 30
