"""Letters from templates: one source per kind and language, rendered as email HTML, plain text and PDF.

A letter template (``templates/<kind>.<lang>.txt.j2``) writes a small markup: ``# `` the subject,
``## `` a heading, ``- `` a bullet, ``!code `` the access-code line, ``!sign `` a line of the
signature, ``**bold**`` inline, blank lines between paragraphs. `render_letter` parses it into
blocks that the HTML, text and PDF writers share, so the three forms of one letter never say different things.

Only the template's author writes markup. Every value put into a template (names, the algorithm's
name, titles) arrives quoted: on one line, between two private-use characters that the parser
reads as "literal text". A value can therefore neither start a markup line (``!code``, ``#``)
nor switch bold on, wherever the template places it.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any

import jinja2

from protocol.calendar import long_date as long_date  # letters spell dates as the calendar module does

KINDS = ("notification", "unfounded", "decision-review", "decision-objection")
LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Block:
    """A paragraph-level piece of a letter, as runs of (bold, text)."""

    kind: str  # title, heading, paragraph, bullet, code
    runs: tuple[tuple[bool, str], ...]

    @cached_property
    def plain(self) -> str:
        return "".join(text for _, text in self.runs)


@dataclass(frozen=True)
class Logo:
    """The organisation's logo as a letter carries it: named by its SHA-256 (what the letter as sent
    keeps), its bytes where they are at hand (rendering, sending, the PDF)."""

    media_type: str  # image/png or image/jpeg
    sha256: str
    width: int  # pixels
    height: int
    content: bytes = field(default=b"", repr=False, compare=False)

    @property
    def cid(self) -> str:
        """The Content-ID under which an e-mail carries it (``<img src="cid:...">``)."""
        return f"logo-{self.sha256[:16]}@herstel"

    def data_uri(self) -> str:
        """The logo inline in a page (the citizen's page allows ``data:`` images, nothing from elsewhere)."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.content).decode('ascii')}"

    def box(self, max_width: float, max_height: float) -> tuple[float, float]:
        """Its size scaled to fit within (max_width, max_height), proportions kept."""
        scale = min(max_width / self.width, max_height / self.height)
        return round(self.width * scale, 2), round(self.height * scale, 2)


@dataclass(frozen=True)
class RenderedLetter:
    """One letter in every form: the subject, its blocks, an email's HTML and plain text; the letterhead
    (sender lines and logo) as it was when the letter was rendered for sending."""

    kind: str
    language: str
    subject: str
    blocks: tuple[Block, ...]
    text: str
    html: str
    recipient_lines: tuple[str, ...]
    sender_lines: tuple[str, ...]
    reference: str
    date_line: str
    logo: Logo | None = None


# A quoted value in the markup: Unicode private-use characters, never in a template or a value.
_OPEN, _CLOSE = "\ue000", "\ue001"
_QUOTED = re.compile(f"({_OPEN}[^{_CLOSE}]*{_CLOSE})")


def quote_value(value: Any) -> str:
    """A value as inert markup text: one line (any line break becomes a space), quoted for the parser."""
    text = " ".join(str(value).replace(_OPEN, "").replace(_CLOSE, "").split())
    return f"{_OPEN}{text}{_CLOSE}" if text else ""


def _finalize(value: Any) -> Any:
    # every {{ value }} of a letter template goes through here: see the module's docstring
    return "" if value is None else quote_value(value)


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("notifications", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - markup, not HTML: escaped block by block when it becomes HTML
        finalize=_finalize,
    )


@cache
def _html_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("notifications", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
    )


@cache
def _template(name: str, html_page: bool = False) -> jinja2.Template:
    """Compiled once per process: `get_template` stats the file for changes on every call."""
    return (_html_environment() if html_page else environment()).get_template(name)


def render_letter(kind: str, language: str, context: dict[str, Any]) -> RenderedLetter:
    """Render one letter; `context` is what `notifications.letters.letter_context` builds."""
    if kind not in KINDS or language not in LANGUAGES:
        raise ValueError(f"no letter template for {kind}/{language}")
    source = _template(f"{kind}.{language}.txt.j2").render(**context)
    blocks = parse_markup(source)
    subject = next((b.plain for b in blocks if b.kind == "title"), kind)
    body_html = blocks_to_html(blocks)
    sender_lines = tuple(context["sender"]["lines"])
    logo: Logo | None = context.get("logo")
    page = _template("email.html.j2", html_page=True).render(
        subject=subject,
        body=body_html,
        language=language,
        reference=context["reference"],
        date=context["date"],
        sender_lines=sender_lines,
        logo=logo,
        logo_box=logo.box(200, 64) if logo else None,
    )
    return RenderedLetter(
        kind=kind,
        language=language,
        subject=subject,
        blocks=tuple(blocks),
        text=sender_block_text(sender_lines) + blocks_to_text(blocks),
        html=page,
        recipient_lines=tuple(context["recipient"]["lines"]),
        sender_lines=sender_lines,
        reference=context["reference"],
        date_line=context["date"],
        logo=logo,
    )


def sender_block_text(lines: tuple[str, ...]) -> str:
    """The letterhead at the top of a plain-text letter: who writes, and how to reach them."""
    return "".join(f"{line}\n" for line in lines) + "\n" if lines else ""


# ---------------------------------------------------------------------- the markup

# Most of a letter's lines are the same in every letter of a campaign: the pure steps from a line of
# markup to its block, runs, HTML and wrapped text are remembered per process. Bounded: the few lines
# that carry one reader's values (their name, their code) pass through and are dropped.
_MEMO = 2048

_PREFIXES = (("## ", "heading"), ("# ", "title"), ("- ", "bullet"), ("!code ", "code"), ("!sign ", "signature"))


def parse_markup(source: str) -> list[Block]:
    """Blocks from the markup: each prefixed line is a block; other lines join into paragraphs."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    for raw in source.splitlines():
        kind, text = _line(raw)
        if kind == "paragraph":
            paragraph.append(text)
            continue
        if paragraph:
            blocks.append(_block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if kind:
            blocks.append(_block(kind, text))
    if paragraph:
        blocks.append(_block("paragraph", " ".join(paragraph)))
    return blocks


@lru_cache(maxsize=_MEMO)
def _line(raw: str) -> tuple[str, str]:
    """(kind, text) of one line of markup: a prefixed block, a paragraph's line, or ("", "") when blank."""
    line = raw.strip()
    if not line:
        return "", ""
    for prefix, kind in _PREFIXES:
        if line.startswith(prefix):
            return kind, line[len(prefix) :].strip()
    return "paragraph", line


@lru_cache(maxsize=_MEMO)
def _block(kind: str, text: str) -> Block:
    return Block(kind, _runs(text))


@lru_cache(maxsize=_MEMO)
def _runs(text: str) -> tuple[tuple[bool, str], ...]:
    """(bold, text) runs: ``**`` toggles bold in the template's own text; quoted values are literal."""
    runs: list[tuple[bool, str]] = []
    bold = False

    def add(part: str) -> None:
        if not part:
            return
        if runs and runs[-1][0] == bold:
            runs[-1] = (bold, runs[-1][1] + part)
        else:
            runs.append((bold, part))

    for index, piece in enumerate(_QUOTED.split(text)):
        if index % 2 == 1:
            add(piece[1:-1])
            continue
        for position, part in enumerate(piece.split("**")):
            if position:
                bold = not bold
            add(part)
    return tuple(runs)


_TAGS = {"title": ("h1", "h1"), "heading": ("h2", "h2"), "bullet": ("li", "li"), "code": ('p class="code"', "p")}


def blocks_to_html(blocks: list[Block]) -> str:
    """The letter body as HTML, every text escaped."""
    out: list[str] = []
    in_list = False
    for index, block in enumerate(blocks):
        if block.kind == "bullet" and not in_list:
            out.append("<ul>")
            in_list = True
        elif block.kind != "bullet" and in_list:
            out.append("</ul>")
            in_list = False
        inner = _inline_html(block.runs)
        if block.kind == "signature":  # the signature's lines make one paragraph
            first = index == 0 or blocks[index - 1].kind != "signature"
            last = index == len(blocks) - 1 or blocks[index + 1].kind != "signature"
            out.append(("<p>" if first else "<br>") + inner + ("</p>" if last else ""))
            continue
        tag, closing = _TAGS.get(block.kind, ("p", "p"))
        out.append(f"<{tag}>{inner}</{closing}>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


@lru_cache(maxsize=_MEMO)
def _inline_html(runs: tuple[tuple[bool, str], ...]) -> str:
    return "".join(f"<strong>{html.escape(t)}</strong>" if bold else html.escape(t) for bold, t in runs)


@lru_cache(maxsize=_MEMO)
def _wrapped(text: str, width: int, first: str = "", rest: str = "") -> tuple[str, ...]:
    return tuple(wrap(text, width, first, rest))


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """Greedy word wrap (textwrap's regular expressions cost more than the rest of a render)."""
    words = text.split()
    if not words:
        return []
    lines: list[str] = []
    line = [first + words[0]]
    length = len(line[0])
    for word in words[1:]:
        if length + 1 + len(word) > width:
            lines.append(" ".join(line))
            line = [rest + word]
            length = len(line[0])
        else:
            line.append(word)
            length += 1 + len(word)
    lines.append(" ".join(line))
    return lines


def blocks_to_text(blocks: list[Block], width: int = 72) -> str:
    """The letter body as plain text, wrapped for an email client."""
    out: list[str] = []
    for block in blocks:
        text = block.plain
        if block.kind != "bullet" and out and out[-1] != "":
            out.append("")  # a list ends with a blank line
        if block.kind == "title":
            out += [text, "=" * min(len(text), width), ""]
        elif block.kind == "heading":
            out += [text, "-" * min(len(text), width), ""]
        elif block.kind == "bullet":
            out += _wrapped(text, width, "- ", "  ")
        elif block.kind == "code":
            out += ["    " + text, ""]
        elif block.kind == "signature":
            if out and out[-1] == "" and len(out) > 1 and out[-2].startswith(_SIGNED):
                out.pop()  # the signature's lines follow one another
            out += [_SIGNED + text, ""]
        else:
            out += [*_wrapped(text, width), ""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).replace(_SIGNED, "").strip() + "\n"


_SIGNED = "\ue002"  # marks a signature line while the text is assembled; never in the result
