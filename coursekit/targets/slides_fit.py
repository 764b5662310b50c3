"""Text measurement for slides: wrap styled text with the real font metrics (Pillow, the theme's Inter files).

The deck is written with explicit sizes, line spacing, paragraph spacing and insets, and with autofit off, so
a frame renders at the height measured here. The same functions re-measure a saved deck in the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont

from coursekit import theme

EMU_PER_PT = 12700
# Lines are set at an exact spacing of LINE_FACTOR × size, and paragraphs after the first get PARA_GAP × size
# before them: both written into the deck, so measuring needs no knowledge of the renderer's defaults.
LINE_FACTOR = 1.2
PARA_GAP = 0.45
# Renderers differ slightly (kerning, hinting): wrap as if every line were this much narrower than it is.
WIDTH_SAFETY = 0.95
MIN_SIZE = 18.0
_REFERENCE_SIZE = 200  # measure at a large size and scale linearly: hinting is negligible there


@dataclass(frozen=True)
class Piece:
    """A stretch of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""  # a link's target (not measured: it does not change the text)


@dataclass(frozen=True)
class MeasuredParagraph:
    """A paragraph as laid out: styled pieces, size, left margin (bullet indent), space before it (points)."""

    pieces: tuple[Piece, ...]
    size: float
    margin_left: float = 0.0
    line_spacing: float = 0.0  # 0: LINE_FACTOR × size
    space_before: float = 0.0


def _font_file(bold: bool, italic: bool) -> str:
    if bold and italic:
        bold_file = Path(theme.FONT_FILES["bold"])
        candidate = bold_file.with_name(bold_file.stem + "Italic.otf")
        return str(candidate) if candidate.exists() else theme.FONT_FILES["bold"]
    return theme.FONT_FILES["bold" if bold else "italic" if italic else "regular"]


@lru_cache(maxsize=8)
def _font(bold: bool, italic: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_file(bold, italic), _REFERENCE_SIZE)


@lru_cache(maxsize=65536)
def _reference_width(text: str, bold: bool, italic: bool) -> float:
    return float(_font(bold, italic).getlength(text))


def text_width(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """Advance width of `text` in points at `size` points."""
    return _reference_width(text, bold, italic) * size / _REFERENCE_SIZE


def _words(pieces: Iterable[Piece]) -> list[list[Piece]]:
    """Split styled text at spaces into words (each a list of styled fragments); spaces are break points."""
    words: list[list[Piece]] = [[]]
    for piece in pieces:
        parts = piece.text.replace("\n", " ").replace("\u00a0", " ").split(" ")
        for index, part in enumerate(parts):
            if index > 0:
                words.append([])
            if part:
                words[-1].append(Piece(part, piece.bold, piece.italic))
    return [word for word in words if word]


def _word_width(word: Sequence[Piece], size: float) -> float:
    return sum(text_width(piece.text, size, bold=piece.bold, italic=piece.italic) for piece in word)


def _split_long_word(word: Sequence[Piece], size: float, width: float) -> list[float]:
    """Widths of the pieces a word wider than a line is broken into (renderers break it by characters)."""
    chunks: list[float] = []
    current = 0.0
    for piece in word:
        for char in piece.text:
            char_width = text_width(char, size, bold=piece.bold, italic=piece.italic)
            if current and current + char_width > width:
                chunks.append(current)
                current = 0.0
            current += char_width
    chunks.append(current)
    return chunks


def count_lines(pieces: Sequence[Piece], size: float, width: float) -> int:
    """How many lines `pieces` wrap to at `size` points in a line `width` points wide."""
    usable = width * WIDTH_SAFETY
    lines, current = 1, 0.0
    for word in _words(pieces):
        space = text_width(" ", size, bold=word[0].bold, italic=word[0].italic)
        word_width = _word_width(word, size)
        if word_width > usable:
            chunks = _split_long_word(word, size, usable)
            if current:
                lines += 1
            lines += len(chunks) - 1
            current = chunks[-1]
            continue
        if current == 0.0:
            current = word_width
        elif current + space + word_width <= usable:
            current += space + word_width
        else:
            lines += 1
            current = word_width
    return lines


def paragraphs_height(paragraphs: Sequence[MeasuredParagraph], width: float) -> float:
    """Height in points of `paragraphs` set in a frame whose text area is `width` points wide."""
    height = 0.0
    for index, paragraph in enumerate(paragraphs):
        line = paragraph.line_spacing or LINE_FACTOR * paragraph.size
        if index:
            height += paragraph.space_before
        height += line * count_lines(paragraph.pieces, paragraph.size, width - paragraph.margin_left)
    return height


def longest_line(pieces: Sequence[Piece], size: float) -> float:
    """Width in points of the text set on one line (for buttons sized to their label)."""
    return sum(_word_width(word, size) for word in _words(pieces)) + text_width(" ", size) * max(
        0, len(_words(pieces)) - 1)


# --- reading a deck back (the build's final self-check, and the tests on the saved file) --------------------

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _attr_pt(element: Any, path: str, attribute: str = "val", scale: float = 100.0) -> float | None:
    found = element.find(path)
    if found is None or found.get(attribute) is None:
        return None
    return int(found.get(attribute)) / scale


def frame_paragraphs(text_frame: Any) -> list[MeasuredParagraph]:
    """The paragraphs of a python-pptx text frame as measured paragraphs (sizes must be explicit)."""
    result: list[MeasuredParagraph] = []
    for paragraph in text_frame.paragraphs:
        p = paragraph._p
        pieces: list[Piece] = []
        sizes: list[float] = []
        for run in paragraph.runs:
            font = run.font
            if font.size is None:
                raise ValueError(f"run {run.text!r} has no explicit size")
            sizes.append(font.size.pt)
            pieces.append(Piece(run.text, bool(font.bold), bool(font.italic)))
        if not pieces:
            continue
        if len(set(sizes)) != 1:
            raise ValueError(f"paragraph {paragraph.text!r} mixes sizes {sizes}")
        ppr = p.find(f"{_A}pPr")
        margin = int(ppr.get("marL", "0")) / EMU_PER_PT if ppr is not None else 0.0
        line = _attr_pt(p, f"{_A}pPr/{_A}lnSpc/{_A}spcPts") or 0.0
        before = _attr_pt(p, f"{_A}pPr/{_A}spcBef/{_A}spcPts") or 0.0
        result.append(MeasuredParagraph(tuple(pieces), sizes[0], margin, line, before))
    return result


def frame_overflow(shape: Any) -> float:
    """Points by which the text of a saved shape would exceed its frame (≤ 0: it fits)."""
    frame = shape.text_frame
    width = shape.width / EMU_PER_PT - (frame.margin_left + frame.margin_right) / EMU_PER_PT
    height = shape.height / EMU_PER_PT - (frame.margin_top + frame.margin_bottom) / EMU_PER_PT
    return float(paragraphs_height(frame_paragraphs(frame), width) - height)
