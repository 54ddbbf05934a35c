"""Hostile payloads for every rich-text field, and a check that a page stays inert.

Each payload would run ``alert(1337)`` (or load a third-party frame) if it got through.
"""

from html.parser import HTMLParser

PAYLOADS = [
    "<script>alert(1337)</script>",
    "<img src=x onerror=alert(1337)>",
    '<img src="x" onerror="alert(1337)"',
    "<svg onload=alert(1337)>",
    "<svg><script>alert(1337)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1337)"><text x="0" y="20">x</text></a></svg>',
    "[click](javascript:alert(1337))",
    "[click](JaVaScRiPt:alert(1337))",
    "[click](javascript&#58;alert(1337))",
    "[click](vbscript:alert(1337))",
    '<a href="javascript:alert(1337)">x</a>',
    '<a href="  javascript:alert(1337)">x</a>',
    '<a href="jav&#x09;ascript:alert(1337)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMzM3KTwvc2NyaXB0Pg==">x</a>',
    '<a href="#" onclick="alert(1337)">x</a>',
    '<iframe src="javascript:alert(1337)"></iframe>',
    '<iframe srcdoc="<script>alert(1337)</script>"></iframe>',
    '<object data="javascript:alert(1337)"></object>',
    '<embed src="javascript:alert(1337)">',
    "<body onload=alert(1337)>",
    '<div style="background:url(javascript:alert(1337))">x</div>',
    "<style>@import 'javascript:alert(1337)';</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1337)>",
    "<scr<script>ipt>alert(1337)</scr</script>ipt>",
    "<<script>script>alert(1337)<</script>/script>",
    "<details open ontoggle=alert(1337)>",
    "<input autofocus onfocus=alert(1337)>",
    '<form action="javascript:alert(1337)"><button>x</button></form>',
    '<button formaction="javascript:alert(1337)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1337)">',
    '<base href="javascript:alert(1337)//">',
    '<video><source onerror="alert(1337)"></video>',
    "<audio src=x onerror=alert(1337)>",
    "<marquee onstart=alert(1337)>x</marquee>",
    '![img](x" onerror="alert(1337))',
    '<!--<img src="--><img src=x onerror=alert(1337)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1337)>">',
    '<table background="javascript:alert(1337)"><tr><td>x</td></tr></table>',
    "<img src=x:alert(1337) onerror=eval(src)>",
    '<a href="https://example.org" target="_blank">x</a><img src=x onerror=alert(1337)>',
    "`<script>alert(1337)</script>`",
]

ALL_PAYLOADS = "\n\n".join(PAYLOADS)

ACTIVE_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "meta",
               "form", "link", "frame", "frameset", "applet", "img", "video", "audio", "source",
               "input", "button", "textarea", "select", "details", "marquee", "noscript",
               "body", "template"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background",
                  "poster", "srcdoc", "srcset"}  # fmt: skip
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#", "?")


class _ActiveContent(HTMLParser):
    """Collects what could run code or load something: active tags, event handlers,
    style attributes and URLs of a scheme other than http(s), mailto or relative."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta" and "http-equiv" not in dict(attrs):
            # Descriptions and Open Graph tags hold the page's text, escaped, as data.
            attrs = [(k, v) for k, v in attrs if k != "content"]
        if tag in ACTIVE_TAGS:
            self.found.append(("tag", tag, tuple(sorted(attrs))))
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.found.append(("attribute", tag, name, value))
            elif name in URL_ATTRIBUTES and value and not value.startswith(SAFE_SCHEMES):
                self.found.append(("url", tag, name, value))


def active_content(html):
    parser = _ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found
