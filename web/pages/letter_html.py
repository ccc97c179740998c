"""The body of a letter's HTML, made fit to sit inside one of our pages.

The letters service hands out the letter as a whole email document (its own <html>, inline styles
the page's CSP would refuse anyway). The page keeps only the text structure, through an allow-list:
headings, paragraphs, lists and bold, no attributes but the code block's class, every text escaped
again. Whatever the letter contained, nothing else reaches the page.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

from markupsafe import Markup

# the letter's own h1 becomes an h2: the page has its own h1
KEEP = {
    "h1": "h2",
    "h2": "h3",
    "p": "p",
    "ul": "ul",
    "ol": "ol",
    "li": "li",
    "strong": "strong",
    "em": "em",
    "br": "br",
}
SKIP_CONTENT = {"head", "header", "style", "script", "title", "template"}  # the letterhead: the page shows its own


class _Body(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_CONTENT:
            self.skipping += 1
        elif not self.skipping and tag in KEEP:
            extra = ' class="letter__code"' if tag == "p" and ("class", "code") in attrs else ""
            self.out.append(f"<{KEEP[tag]}{extra}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif not self.skipping and tag in KEEP and tag != "br":
            self.out.append(f"</{KEEP[tag]}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data))


def letter_body(document: str) -> Markup:
    """The letter's text structure as safe HTML for a page."""
    parser = _Body()
    parser.feed(document)
    parser.close()
    return Markup("".join(parser.out).strip())  # noqa: S704 - built from an allow-list, every text escaped
