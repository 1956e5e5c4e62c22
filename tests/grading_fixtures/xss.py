"""Payloads a student can put in a submission so that a page showing it runs their script, and a
detector that finds which of them are live in an HTML page.

Each payload sets its own ``window.PWN_<name>``; the browser test reads those back, and
:func:`live_payloads` finds the same ones by reading the markup (a script, an event handler or a
link target that carries the marker)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

# a written (Markdown) answer: no code needs to run for these
MARKDOWN_ANSWER = "\n\n".join(
    [
        "Principle VII binds the signatories; a refused exit visa breaks Basket III's human contacts.",
        "<img src=x onerror='window.PWN_md_img=1'>",
        "<script>window.PWN_md_script=1</script>",
        '<details open ontoggle="window.PWN_md_toggle=1"><summary>x</summary></details>',
        "[a source](javascript:window.PWN_md_link=1)",
        "[another][r]\n\n[r]: javascript:window.PWN_md_ref=1",
        "$<img src=x onerror=window.PWN_md_math=1>$",
        "```\nkept <b>as code</b>\n\nafter a blank line\n```",
        "**bold** stays bold.",
    ]
)

# a code answer's outputs (its cell still defines what the problem set asks for)
CODE_OUTPUTS = """
from IPython.display import HTML, Javascript, Markdown, SVG, display
display(HTML("<b>shown</b><script>window.PWN_out_script=1</script><img src=x onerror='window.PWN_out_img=1'>"))
display(Javascript("window.PWN_out_js=1"))
display(Markdown("<img src=x onerror='window.PWN_out_md=1'>"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>window.PWN_out_svg=1</script></svg>'))
"""

MARKER = re.compile(r"PWN_\w+")
LIVE_SCHEMES = ("javascript:", "vbscript:", "data:text")


def live_payloads(html: str) -> set[str]:
    """The markers a browser would run: in a script's text, an ``on…`` attribute or a link target."""
    soup = BeautifulSoup(html, "html.parser")
    live: set[str] = set()
    for tag in soup.find_all(True):
        if tag.name == "script":
            live |= set(MARKER.findall(tag.get_text()))
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or value.strip().lower().startswith(LIVE_SCHEMES):
                live |= set(MARKER.findall(value))
    return live


def all_markers(*texts: str) -> set[str]:
    return {m for t in texts for m in MARKER.findall(t)}
