"""Letters as PDF for post, with fpdf2 and embedded DejaVu fonts (Dutch diacritics, the IJ, €).

A print batch is one multi-page PDF: fpdf2 parses and subsets each font once per document, which
makes a batch about fifteen times faster than one PDF per letter (see the research notes: ~86
pages/s against ~5 letters/s). A single letter (the citizen's download) is the same code with
one letter in it. The address block sits where a Dutch window envelope shows it; the letterhead
(logo top left, the sender's name, address and phone top right) above it. fpdf2 keeps an image
once per document however many letters show it, so a batch carries its logo once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from notifications.rendering import Block, RenderedLetter

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MONO = "DejaVuSansMono.ttf"
LABELS = {
    "nl": {"date": "Datum", "reference": "Kenmerk", "page": "pagina"},
    "en": {"date": "Date", "reference": "Reference", "page": "page"},
}


class FontMissing(RuntimeError):
    """The DejaVu fonts are not installed (Debian: fonts-dejavu-core, in the Makefile's SYSTEM_PACKAGES)."""


def font_path(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise FontMissing(f"font {name} not found in {', '.join(map(str, FONT_DIRS))}; install fonts-dejavu-core")


@dataclass(frozen=True)
class PlacedLetter:
    """Where a letter sits in a batch PDF (1-based first page and number of pages)."""

    first_page: int
    pages: int


class _LetterPdf(FPDF):
    reference = ""
    language = "nl"
    first_page = 1

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Body", "", 8)
        self.set_text_color(90, 90, 90)
        label = LABELS[self.language]["page"]
        self.cell(0, 5, f"{self.reference}   ·   {label} {self.page_no() - self.first_page + 1}", align="R")
        self.set_text_color(0, 0, 0)


def render_pdf(letters: Sequence[RenderedLetter]) -> tuple[bytes, list[PlacedLetter]]:
    """One PDF holding `letters` in order, each starting on a new page; and where each one sits."""
    pdf = _LetterPdf(format="A4", unit="mm")
    pdf.set_margins(25, 20, 20)
    pdf.set_auto_page_break(True, margin=22)
    for style, name in FONTS.items():
        pdf.add_font("Body", style=style, fname=str(font_path(name)))
    pdf.add_font("Mono", style="", fname=str(font_path(MONO)))
    pdf.set_title("Herstel")
    placed = []
    for letter in letters:
        pdf.add_page()  # draws the previous letter's last footer, so the new reference is set after it
        pdf.reference, pdf.language, pdf.first_page = letter.reference, letter.language, pdf.page_no()
        _write_letter(pdf, letter)
        placed.append(PlacedLetter(pdf.first_page, pdf.page_no() - pdf.first_page + 1))
    return bytes(pdf.output()), placed


def _write_letter(pdf: _LetterPdf, letter: RenderedLetter) -> None:
    labels = LABELS[letter.language]
    if letter.logo is not None and letter.logo.content:
        width, height = letter.logo.box(70, 22)  # millimetres, within the space above the address window
        pdf.image(io.BytesIO(letter.logo.content), x=25, y=14, w=width, h=height)
    pdf.set_xy(120, 15)
    for index, line in enumerate(letter.sender_lines):
        pdf.set_font("Body", "B" if index == 0 else "", 8.5)  # the organisation's name first
        pdf.set_x(120)
        pdf.cell(65, 4, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10.5)
    pdf.set_xy(25, 50)  # the window of a Dutch window envelope
    for line in letter.recipient_lines:
        pdf.cell(85, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(25, 88)
    pdf.set_font("Body", "", 9)
    pdf.cell(0, 5, f"{labels['date']}: {letter.date_line}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"{labels['reference']}: {letter.reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for block in letter.blocks:
        _write_block(pdf, block)


def _write_block(pdf: _LetterPdf, block: Block) -> None:
    if block.kind == "title":
        _paragraph(pdf, ((True, block.plain),), size=13, line=6.5)
        pdf.ln(3)
    elif block.kind == "heading":
        pdf.ln(2)
        _paragraph(pdf, ((True, block.plain),), size=11, line=6)
        pdf.ln(0.5)
    elif block.kind == "bullet":
        pdf.set_font("Body", "", 10.5)
        pdf.cell(6, 5.2, "•")
        _paragraph(pdf, block.runs, size=10.5, line=5.2, indent=6)
        pdf.ln(0.8)
    elif block.kind == "signature":
        _paragraph(pdf, block.runs, size=10.5, line=5.2)
    elif block.kind == "code":
        pdf.set_font("Mono", "", 14)
        pdf.cell(pdf.get_string_width(block.plain) + 10, 10, block.plain, border=1, align="C")
        pdf.ln(13)
    else:
        _paragraph(pdf, block.runs, size=10.5, line=5.2)
        pdf.ln(2.5)


def _paragraph(
    pdf: _LetterPdf, runs: tuple[tuple[bool, str], ...], *, size: float, line: float, indent: float = 0
) -> None:
    """Left-aligned text with bold runs, wrapped by measured word widths.

    fpdf2's multi_cell re-measures every character of a line for every candidate break (most of
    a letter's render time); words measured once per style and size make a batch several times faster.
    """
    left = pdf.l_margin + indent
    width = pdf.w - pdf.r_margin - left
    lines: list[list[tuple[bool, str, bool]]] = [[]]  # (bold, word, glued to the word before)
    used = 0.0
    for bold, word, glued in _words(runs):
        style = "B" if bold else ""
        w = _width(pdf, style, size, word)
        gap = 0.0 if glued or not lines[-1] else _width(pdf, style, size, " ")
        if lines[-1] and not glued and used + gap + w > width:
            lines.append([])
            used, gap = 0.0, 0.0
        lines[-1].append((bold, word, glued))
        used += gap + w
    for words_of_line in lines:
        pdf.set_x(left)
        segments: list[tuple[bool, str]] = []
        for index, (bold, word, glued) in enumerate(words_of_line):
            text = word if glued or index == 0 else " " + word
            if segments and segments[-1][0] == bold:
                segments[-1] = (bold, segments[-1][1] + text)
            else:
                segments.append((bold, text))
        for bold, text in segments:
            pdf.set_font("Body", "B" if bold else "", size)
            pdf.cell(_width(pdf, "B" if bold else "", size, text), line, text)
        pdf.ln(line)


def _words(runs: tuple[tuple[bool, str], ...]) -> list[tuple[bool, str, bool]]:
    """Words with their style, and whether each follows the previous one without a space (``**x**.``)."""
    words: list[tuple[bool, str, bool]] = []
    after_space = True
    for bold, text in runs:
        for match in re.finditer(r"\S+", text):
            glued = bool(words) and match.start() == 0 and not after_space
            words.append((bold, match.group(), glued))
            after_space = False
        after_space = text[-1:].isspace() if text else after_space
    return words


_WIDTHS: dict[tuple[str, float, str], float] = {}


def _width(pdf: FPDF, style: str, size: float, text: str) -> float:
    key = (style, size, text)
    found = _WIDTHS.get(key)
    if found is None:
        pdf.set_font("Body", style, size)
        found = pdf.get_string_width(text)
        if len(_WIDTHS) < 200_000:  # words repeat across letters; names and codes do not, so bound it
            _WIDTHS[key] = found
    return found
