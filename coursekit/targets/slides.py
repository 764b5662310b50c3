"""Target `slides`: a lesson deck and a talk deck (PPTX, 16:9) with speaker notes, made with python-pptx.

Stages: the outline (slides_outline: what each slide says), pagination (here: measured with slides_fit, long
slides split into "(1/2)", "(2/2)"), rendering (python-pptx, every size and colour explicit), a deterministic
zip, and optional PNG previews through LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from lxml import etree
from PIL import Image as PILImage
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt
from pydantic import BaseModel

from coursekit import model as m
from coursekit import theme
from coursekit.brand import logo_png
from coursekit.cache import deck_inputs
from coursekit.errors import BuildError
from coursekit.messages import engine_name, messages
from coursekit.targets import BuildContext, Target
from coursekit.targets.slides_fit import (
    EMU_PER_PT,
    LINE_FACTOR,
    MIN_SIZE,
    PARA_GAP,
    MeasuredParagraph,
    Piece,
    frame_overflow,
    longest_line,
    paragraphs_height,
)
from coursekit.targets.slides_outline import Group, Para, SlideSpec, build_outline
from coursekit.view import branding

# 16:9 at 13.333 × 7.5 in, in points.
SLIDE_W, SLIDE_H = 960.0, 540.0
MARGIN_X = 43.2
CONTENT_W = SLIDE_W - 2 * MARGIN_X
INSET_X, INSET_Y = 7.2, 3.6
BODY_TOP, BODY_BOTTOM = 132.0, 508.0
GROUP_GAP_IN = 0.15  # × size: between paragraphs of one group (an option and its feedback)
BULLET_STEP = 1.5  # × size per bullet level: room for "•", "A." and "10."
TITLE_SIZES = (36.0, 34.0, 32.0, 30.0, 28.0, 26.0, 24.0, 22.0, 20.0, 18.0)
BODY_SIZES = {
    "title": (28.0, 26.0, 24.0, 22.0, 20.0, 18.0),
    "decision": (28.0, 26.0, 24.0, 22.0, 20.0, 18.0),
    "help": (28.0, 26.0, 24.0, 22.0, 20.0, 18.0),
    "reveal": (28.0, 26.0, 24.0, 22.0, 20.0, 18.0),
}
DEFAULT_SIZES = (32.0, 30.0, 28.0, 26.0, 24.0, 22.0, 20.0, 18.0)
CHOICE_SIZES = (28.0, 26.0, 24.0, 22.0, 20.0, 18.0)
BUTTON_SIZE = 20.0
BUTTON_H = 44.0
PREVIEW_KINDS = ("title", "decision", "question", "help")
PREVIEWS_ENV = "COURSEKIT_SLIDE_PREVIEWS"
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
DECORATIVE_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"


@dataclass(frozen=True)
class Box:
    """A rectangle in points."""

    x: float
    y: float
    w: float
    h: float

    @property
    def inner_w(self) -> float:
        """Width of the text area inside the insets."""
        return self.w - 2 * INSET_X

    @property
    def inner_h(self) -> float:
        """Height of the text area inside the insets."""
        return self.h - 2 * INSET_Y


def emu(points: float) -> Emu:
    """Points → EMU."""
    return Emu(round(points * EMU_PER_PT))


def background_of(kind: str) -> str:
    """The palette colour name of a slide kind's background."""
    return {"section": "primary", "closing": "primary_tint"}.get(kind, "paper")


def text_colour(kind: str, wanted: str) -> str:
    """The palette colour for text on this kind of slide (on a dark background every text is paper)."""
    if background_of(kind) == "primary":
        return "paper"
    return wanted or "ink"


def rgb(value: str) -> RGBColor:
    """An RGBColor from "#rrggbb" or "rrggbb"."""
    colour: RGBColor = RGBColor.from_string(value.lstrip("#"))  # type: ignore[no-untyped-call]  # untyped in python-pptx
    return colour


def hex_of(name: str) -> str:
    """A palette colour by field name."""
    return str(getattr(theme.PALETTE, name))


# --- measuring laid-out text --------------------------------------------------------------------------------


ZWNJ = "\u200c"
_CONTEXTUAL = re.compile(r"(?<=[-<=])(?=[->])")


def without_contextual_forms(text: str) -> str:
    """`text` with a zero-width non-joiner inside "->", "<-", "=>" and "--": a slide cannot switch the font's
    contextual alternates off (LibreOffice would draw "->" as an arrow), and a ZWNJ stops them. Readers see
    exactly what the author typed; text extracted from the deck has the invisible U+200C in those places."""
    return _CONTEXTUAL.sub(ZWNJ, text)


def flow(groups: Sequence[Group], size: float) -> list[tuple[Para, MeasuredParagraph]]:
    """Paragraphs with the exact size, margin and spacing they are written with."""
    result: list[tuple[Para, MeasuredParagraph]] = []
    for group in groups:
        for index, paragraph in enumerate(group):
            before = 0.0 if not result else (PARA_GAP if index == 0 else GROUP_GAP_IN) * size
            pieces = tuple(Piece(without_contextual_forms(run.text), run.bold, run.italic, getattr(run, "href", ""))
                           for run in paragraph.runs)
            result.append((paragraph, MeasuredParagraph(pieces, size, paragraph.level * BULLET_STEP * size,
                                                        LINE_FACTOR * size, before)))
    return result


def groups_height(groups: Sequence[Group], size: float, width: float) -> float:
    """Height in points of `groups` laid out at `size` in a text area `width` wide."""
    return paragraphs_height([measured for _, measured in flow(groups, size)], width)


def title_paras(text: str) -> list[Para]:
    """A title as bold paragraphs, one per line the author wrote (a prompt over two lines keeps them)."""
    return [Para([_run(line, True)]) for line in text.split("\n") if line.strip()] or [Para([_run(text, True)])]


def title_lines_fit(text: str, size: float, box: Box) -> bool:
    """Whether a bold title fits its box at `size`."""
    return groups_height([title_paras(text)], size, box.inner_w) <= box.inner_h


# --- geometry -----------------------------------------------------------------------------------------------


def footer_box(spec: SlideSpec) -> Box | None:
    """The footer frame (version and facts date), sized to its text at 18 pt."""
    if not spec.footer:
        return None
    width = CONTENT_W
    height = groups_height([spec.footer], MIN_SIZE, width - 2 * INSET_X) + 2 * INSET_Y
    return Box(MARGIN_X, SLIDE_H - 18 - height, width, height)


def title_box(spec: SlideSpec) -> Box:
    """Where the title placeholder goes."""
    if spec.kind == "title":
        return Box(MARGIN_X + 14, 90, CONTENT_W - 14, 136)
    if spec.kind == "section":
        return Box(MARGIN_X, 56, CONTENT_W, 110)
    if spec.kind == "help":
        return Box(MARGIN_X, 24, CONTENT_W - 84, 96)
    return Box(MARGIN_X, 24, CONTENT_W, 96)


def body_boxes(spec: SlideSpec) -> list[Box]:
    """The text frames the body flows into (one, or two columns)."""
    top, bottom = BODY_TOP, BODY_BOTTOM
    footer = footer_box(spec)
    if footer is not None:
        bottom = footer.y - 8
    if spec.links:
        bottom = SLIDE_H - 24 - BUTTON_H - 14
    x, width = MARGIN_X, CONTENT_W
    if spec.kind == "title":
        x, width, top = MARGIN_X + 14, CONTENT_W - 14, 236
    elif spec.kind == "section":
        top = 180
    elif spec.kind == "decision":
        width = CONTENT_W * 0.54
    if spec.image is not None:
        width = CONTENT_W * 0.6
    if spec.columns == 2:
        half = (width - 24) / 2
        return [Box(x, top, half, bottom - top), Box(x + half + 24, top, half, bottom - top)]
    return [Box(x, top, width, bottom - top)]


def choices_box(spec: SlideSpec) -> Box:
    """The column of choice buttons on a decision slide (the full width when there are no messages)."""
    x = MARGIN_X + CONTENT_W * 0.54 + 24 if spec.groups else MARGIN_X
    return Box(x, BODY_TOP, MARGIN_X + CONTENT_W - x, BODY_BOTTOM - BODY_TOP)


# --- pagination ---------------------------------------------------------------------------------------------


@dataclass
class Page:
    """One physical slide: a part of a logical slide's body, at one size."""

    spec: SlideSpec
    title: str
    columns: list[list[Group]]
    size: float
    part: int = 1
    parts: int = 1
    key: str = ""
    fixed: bool = True  # choices, links and steps go on the last part only


def split_columns(groups: list[Group], size: float, width: float, count: int) -> list[list[Group]] | None:
    """Groups split into `count` contiguous columns, the tallest as short as possible (None: no groups)."""
    if count == 1:
        return [groups]
    best: tuple[float, int] | None = None
    for cut in range(len(groups) + 1):
        height = max(groups_height(groups[:cut], size, width), groups_height(groups[cut:], size, width))
        if best is None or height < best[0]:
            best = (height, cut)
    assert best is not None
    return [groups[:best[1]], groups[best[1]:]]


def part_fits(groups: list[Group], size: float, boxes: list[Box]) -> list[list[Group]] | None:
    """The columns of `groups` if they fit the boxes at `size`, else None."""
    columns = split_columns(groups, size, boxes[0].inner_w, len(boxes))
    assert columns is not None
    for column, box in zip(columns, boxes, strict=True):
        if groups_height(column, size, box.inner_w) > box.inner_h:
            return None
    return columns


def partitions(groups: list[Group], parts: int) -> list[list[list[Group]]]:
    """Ways to cut `groups` into `parts` contiguous runs, most even (by paragraph count) first."""
    n = len(groups)
    if parts == 1:
        return [[groups]]
    if parts > n:
        return []
    # Balanced cuts by text length, then nudges of each cut by one: enough choice without a search explosion.
    weights = [sum(len(p.text) + 40 for p in g) for g in groups]
    total = sum(weights)
    cuts: list[int] = []
    running, target = 0, 1
    for index, weight in enumerate(weights):
        running += weight
        if target < parts and running >= total * target / parts and index + 1 < n:
            cuts.append(index + 1)
            target += 1
    while len(cuts) < parts - 1:
        cuts.append(next(i for i in range(1, n) if i not in cuts))
        cuts.sort()
    candidates = [cuts]
    for i in range(len(cuts)):
        for delta in (-1, 1):
            moved = sorted(set(cuts[:i] + [cuts[i] + delta] + cuts[i + 1:]))
            if len(moved) == len(cuts) and all(0 < c < n for c in moved):
                candidates.append(moved)
    result = []
    for candidate in candidates:
        bounds = [0, *candidate, n]
        result.append([groups[a:b] for a, b in pairwise(bounds)])
    return result


def cut_paragraph(paragraph: Para, at: int) -> tuple[Para, Para]:
    """A paragraph cut in two at character `at`, keeping each run's style."""
    first: list[Any] = []
    second: list[Any] = []
    position = 0
    for run in paragraph.runs:
        start, end = position, position + len(run.text)
        if end <= at:
            first.append(run)
        elif start >= at:
            second.append(run)
        else:
            first.append(type(run)(run.text[:at - start], run.bold, run.italic))
            second.append(type(run)(run.text[at - start:], run.bold, run.italic))
        position = end
    if first:
        last = first[-1]
        first[-1] = type(last)(last.text.rstrip(), last.bold, last.italic)
    return (Para(first, paragraph.level, paragraph.number, paragraph.colour, paragraph.numbering),
            Para(second, paragraph.level, 0, paragraph.colour, paragraph.numbering))


def split_paragraph(paragraph: Para, box: Box) -> list[Para]:
    """A paragraph too tall for a slide, cut between sentences (else words) into pieces that each fill at most
    one slide at 18 pt."""
    def fits(piece: Para) -> bool:
        return groups_height([[piece]], MIN_SIZE, box.inner_w) <= box.inner_h

    pieces: list[Para] = []
    rest = paragraph
    while not fits(rest):
        text = rest.text
        for pattern in (r"[.!?;:]\s+", r"\s+"):
            breaks = [match.end() for match in re.finditer(pattern, text) if match.end() < len(text)]
            # Taller with every break taken later: the last break that still fits is found by bisection.
            low, high = 0, len(breaks)
            while low < high:
                middle = (low + high) // 2
                if fits(cut_paragraph(rest, breaks[middle])[0]):
                    low = middle + 1
                else:
                    high = middle
            if low:
                head, rest = cut_paragraph(rest, breaks[low - 1])
                pieces.append(head)
                break
        else:
            raise FitError(text, f"slides: a paragraph does not fit on a slide even at {MIN_SIZE:g} pt: "
                             f"{text[:80]!r}")
    return [*pieces, rest]


def paginate(spec: SlideSpec) -> list[Page]:
    """Shrink the body down to 18 pt if needed, then split it over as few slides as fit."""
    sizes = BODY_SIZES.get(spec.kind, DEFAULT_SIZES)
    boxes = body_boxes(spec)
    groups = spec.groups
    if not groups:
        return [Page(spec, spec.title, [[] for _ in boxes], sizes[0])]
    for candidate in (groups, spec.compact):
        for size in sizes:
            columns = part_fits(candidate, size, boxes) if 0 < len(candidate) <= spec.max_groups else None
            if columns is not None:
                return [Page(spec, spec.title, columns, size)]
    for _ in range(8):
        first = max(1, math.ceil(len(groups) / spec.max_groups))
        for count in range(first, len(groups) + 1):
            # Fewest slides first; among the ways to cut, the one whose smallest text is largest. Each part
            # then gets the largest size it fits at (a long paragraph on one slide does not shrink the rest).
            best: tuple[tuple[float, float], list[tuple[list[list[Group]], float]]] | None = None
            for parts in partitions(groups, count):
                if any(len(part) > spec.max_groups for part in parts):
                    continue
                laid: list[tuple[list[list[Group]], float]] = []
                for part in parts:
                    fitted = next(((columns, size) for size in sizes
                                   if (columns := part_fits(part, size, boxes)) is not None), None)
                    if fitted is None:
                        break
                    laid.append(fitted)
                else:
                    score = (min(size for _, size in laid), sum(size for _, size in laid))
                    if best is None or score > best[0]:
                        best = (score, laid)
            if best is not None:
                pages = [Page(spec, spec.title, columns, size) for columns, size in best[1]]
                for index, page in enumerate(pages, start=1):
                    page.part, page.parts = index, len(pages)
                    page.fixed = index == len(pages)
                    if len(pages) > 1:
                        page.title = f"{spec.title} ({index}/{len(pages)})"
                return pages
        # Something is too tall even alone at 18 pt: split it (a group into its paragraphs, a paragraph into
        # slide-sized pieces).
        width = boxes[0].inner_w
        tallest = max(range(len(groups)), key=lambda i: groups_height([groups[i]], MIN_SIZE, width))
        group = groups[tallest]
        pieces = [[p] for p in (group if len(group) > 1 else split_paragraph(group[0], boxes[0]))]
        groups = groups[:tallest] + pieces + groups[tallest + 1:]
    raise BuildError(f"slides: {spec.title!r} does not fit on slides even at {MIN_SIZE:g} pt")


def unique_titles(pages: list[Page]) -> None:
    """Give repeated titles a suffix "(2)", "(3)": screen readers and the outline need unique titles."""
    seen: set[str] = set()
    for page in pages:
        title, number = page.title, 1
        while title.casefold() in seen:
            number += 1
            title = f"{page.title} ({number})"
        seen.add(title.casefold())
        page.title = title


# --- the template -------------------------------------------------------------------------------------------


def new_presentation() -> Any:
    """python-pptx's default template made 16:9, with the coursekit fonts and colours in its theme."""
    prs = Presentation()
    old_width = prs.slide_width
    prs.slide_width, prs.slide_height = emu(SLIDE_W), emu(SLIDE_H)
    scale = prs.slide_width / old_width
    # The master and layouts were drawn for 4:3: stretch them so slides a presenter adds still look right.
    for part in [prs.slide_master, *prs.slide_layouts]:
        for element in part._element.iter(qn("a:off"), qn("a:ext")):
            attribute = "x" if element.tag == qn("a:off") else "cx"
            if element.get(attribute) is not None:
                element.set(attribute, str(round(int(element.get(attribute)) * scale)))
    theme_part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme_part.blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    root.set("name", "coursekit")
    for latin in root.iterfind(".//a:fontScheme//a:latin", ns):
        latin.set("typeface", theme.FONT_FAMILY)
    scheme = root.find(".//a:clrScheme", ns)
    scheme.set("name", "coursekit")
    mapping = {"dk1": "ink", "lt1": "paper", "dk2": "primary_dark", "lt2": "primary_tint",
               "accent1": "primary", "accent2": "accent", "accent3": "warning", "accent4": "muted",
               "accent5": "primary_dark", "accent6": "accent", "hlink": "primary", "folHlink": "primary_dark"}
    for slot, colour in mapping.items():
        element = scheme.find(f"a:{slot}", ns)
        for child in list(element):
            element.remove(child)
        etree.SubElement(element, qn("a:srgbClr")).set("val", hex_of(colour).lstrip("#").upper())
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    # The template's thumbnail shows an empty 4:3 slide: drop it rather than ship a wrong picture.
    package = prs.part.package
    for rel_id, rel in list(package._rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package._rels.pop(rel_id)
    return prs


# --- shapes -------------------------------------------------------------------------------------------------


def cnvpr(shape: Any) -> Any:
    """The non-visual properties (p:cNvPr) of a shape: where alt text lives."""
    return shape._element.xpath("./*[1]/p:cNvPr")[0]


def set_alt(shape: Any, text: str) -> None:
    """Alt text for a picture or a shape that carries meaning."""
    cnvpr(shape).set("descr", text)


def set_decorative(shape: Any) -> None:
    """Mark a shape as decorative: empty alt text and Office's decorative flag."""
    properties = cnvpr(shape)
    properties.set("descr", "")
    ext_list = etree.SubElement(properties, qn("a:extLst"))
    ext = etree.SubElement(ext_list, qn("a:ext"))
    ext.set("uri", DECORATIVE_URI)
    etree.SubElement(ext, f"{{{DECORATIVE_NS}}}decorative", nsmap={"adec": DECORATIVE_NS}).set("val", "1")


def plain_shape(slide: Any, shape_type: Any, box: Box, fill: str, line: str | None = None) -> Any:
    """An autoshape with an explicit fill and outline, and no theme effects."""
    shape = slide.shapes.add_shape(shape_type, emu(box.x), emu(box.y), emu(box.w), emu(box.h))
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb(hex_of(fill))
    if line:
        shape.line.color.rgb = rgb(hex_of(line))
        shape.line.width = Pt(1.5)
    else:
        shape.line.fill.background()
    if shape_type == MSO_SHAPE.ROUNDED_RECTANGLE:
        shape.adjustments[0] = 0.12
    return shape


def prepare_frame(frame: Any, anchor: Any = MSO_ANCHOR.TOP, *, inset_x: float = INSET_X,
                  inset_y: float = INSET_Y) -> None:
    """What was measured is what renders: wrap on, autofit off, explicit insets."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = emu(inset_x)
    frame.margin_top = frame.margin_bottom = emu(inset_y)
    frame.vertical_anchor = anchor


def write_paragraphs(frame: Any, laid: list[tuple[Para, MeasuredParagraph]], kind: str, default: str, *,
                     align: Any = PP_ALIGN.LEFT) -> None:
    """Write measured paragraphs into a text frame, with every size, colour, spacing and bullet explicit."""
    for index, (paragraph, measured) in enumerate(laid):
        p = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        p.alignment = align
        p.line_spacing = Pt(measured.line_spacing)
        if index:
            p.space_before = Pt(measured.space_before)
        colour = hex_of(text_colour(kind, paragraph.colour or default)).lstrip("#").upper()
        ppr = p._p.get_or_add_pPr()
        ppr.set("marL", str(round(measured.margin_left * EMU_PER_PT)))
        ppr.set("indent", str(-round(BULLET_STEP * measured.size * EMU_PER_PT) if paragraph.level else 0))
        if paragraph.level:
            etree.SubElement(etree.SubElement(ppr, qn("a:buClr")), qn("a:srgbClr")).set("val", colour)
            etree.SubElement(ppr, qn("a:buFont")).set("typeface", theme.FONT_FAMILY)
            if paragraph.number:
                numbering = etree.SubElement(ppr, qn("a:buAutoNum"))
                numbering.set("type", paragraph.numbering)
                if paragraph.number > 1:
                    numbering.set("startAt", str(paragraph.number))
            else:
                mark = "\u2022" if paragraph.level == 1 else "\u2013"
                etree.SubElement(ppr, qn("a:buChar")).set("char", mark)
        else:
            etree.SubElement(ppr, qn("a:buNone"))
        for piece in measured.pieces:
            run = p.add_run()
            run.text = piece.text
            font = run.font
            font.name = theme.FONT_FAMILY
            font.size = Pt(measured.size)
            font.bold = piece.bold
            font.italic = piece.italic
            font.color.rgb = rgb(colour)
            if piece.href:  # a link in the author's text stays a link the presenter can click
                run.hyperlink.address = piece.href


def add_text(slide: Any, box: Box, groups: Sequence[Group], size: float, kind: str, *, default: str = "ink",
             name: str = "Text", anchor: Any = MSO_ANCHOR.TOP) -> Any:
    """A text box holding `groups` at `size` (the caller has checked they fit)."""
    shape = slide.shapes.add_textbox(emu(box.x), emu(box.y), emu(box.w), emu(box.h))
    shape.name = name
    prepare_frame(shape.text_frame, anchor)
    write_paragraphs(shape.text_frame, flow(groups, size), kind, default)
    return shape


def add_icon(slide: Any, name: str, box: Box, alt: str, colour: str = "primary") -> Any:
    """One of the theme's icons as a picture, with alt text."""
    image = io.BytesIO(theme.icon_png(name, color=hex_of(colour)))
    picture = slide.shapes.add_picture(image, emu(box.x), emu(box.y), emu(box.w), emu(box.h))
    picture.name = f"Icon {name}"
    set_alt(picture, alt)
    return picture


def fit_size(texts: Sequence[Sequence[Group]], boxes: Sequence[Box], sizes: Sequence[float]) -> float | None:
    """The largest size at which every text fits its box."""
    for size in sizes:
        pairs = zip(texts, boxes, strict=True)
        if all(groups_height(groups, size, box.inner_w) <= box.inner_h for groups, box in pairs):
            return size
    return None


# --- rendering ----------------------------------------------------------------------------------------------


@dataclass
class Deck:
    """A built deck: its file and which slide is which (for previews)."""

    path: Path
    kinds: list[str] = field(default_factory=list)


class Renderer:
    """Draws pages onto slides; slide jumps are wired once every slide exists."""

    def __init__(self, course: m.Course, plan: m.Plan) -> None:
        self.course = course
        self.plan = plan
        self.say = messages(course.language)
        self.prs = new_presentation()
        self.layout = self.prs.slide_layouts[5]  # "Title Only": a real title placeholder, nothing else
        self.first_slide: dict[str, Any] = {}
        self.pending: list[tuple[Any, str, str]] = []  # (shape, target key, source title)
        self.current: SlideSpec | None = None  # the slide being drawn, for error messages
        self.brand = branding(course, course.root)

    def render(self, pages: list[Page]) -> Any:
        """Every page as a slide; returns the presentation."""
        for page in pages:
            slide = self.prs.slides.add_slide(self.layout)
            self.first_slide.setdefault(page.spec.key, slide)
            self.current = page.spec
            self.draw(slide, page)
        for shape, key, source in self.pending:
            if key not in self.first_slide:
                raise BuildError(f"slides: {source!r} links to a missing slide {key!r}")
            shape.click_action.target_slide = self.first_slide[key]
        # Self-check: re-measure every frame as written; an overflow here is a bug in the layout code.
        for number, slide in enumerate(self.prs.slides, start=1):
            for shape in slide.shapes:
                if shape.has_text_frame and shape.text_frame.text.strip():
                    excess = frame_overflow(shape)
                    assert excess <= 0.01, f"slide {number} {shape.name}: text {excess:.1f} pt too tall"
        return self.prs

    def draw(self, slide: Any, page: Page) -> None:
        """One slide: background, title (first in reading order), body, fixed parts, notes."""
        spec, kind = page.spec, page.spec.kind
        if spec.hidden:
            slide._element.set("show", "0")  # a hidden slide: the show skips it; links still reach it
        slide.background.fill.solid()
        slide.background.fill.fore_color.rgb = rgb(self.colour(background_of(kind)))
        self.draw_title(slide, page)
        if kind == "title":
            band = plain_shape(slide, MSO_SHAPE.RECTANGLE, Box(0, 0, 18, SLIDE_H), "primary")
            band.fill.fore_color.rgb = rgb(self.colour("primary"))
            band.name = "Band"
            set_decorative(band)
            if self.brand.logo is not None:
                self.draw_logo(slide)
        elif kind != "section":
            bar = plain_shape(slide, MSO_SHAPE.RECTANGLE, Box(0, 0, SLIDE_W, 9), "primary")
            bar.fill.fore_color.rgb = rgb(self.colour("primary"))
            bar.name = "Bar"
            set_decorative(bar)
        for index, (column, box) in enumerate(zip(page.columns, body_boxes(spec), strict=True)):
            if column:
                add_text(slide, box, column, page.size, kind, name=f"Body {index + 1}")
        if spec.footer:
            footer = footer_box(spec)
            assert footer is not None
            add_text(slide, footer, [spec.footer], MIN_SIZE, kind, name="Footer")
        if spec.image is not None and page.part == 1:
            self.draw_image(slide, spec)
        if kind == "help":
            add_icon(slide, "help", Box(SLIDE_W - MARGIN_X - 64, 40, 64, 64), self.say("slides.help_icon"))
        if page.fixed:
            if spec.choices:
                self.draw_choices(slide, spec)
            if spec.steps:
                self.draw_steps(slide, spec)
            if spec.links:
                self.draw_links(slide, spec)
        notes = list(spec.notes)
        if page.parts > 1:
            notes.insert(0, f"Part {page.part} of {page.parts} of \u201c{spec.title}\u201d.")
        slide.notes_slide.notes_text_frame.text = "\n".join(notes)

    def colour(self, name: str) -> str:
        """A palette colour by name; the brand's colour stands for "primary" where it is a background (the
        title band, the top bar, section slides: their text is white, which the brand colour carries)."""
        return self.brand.colour if name == "primary" and self.brand.colour else hex_of(name)

    def draw_logo(self, slide: Any) -> None:
        """The brand's logo at the top right of the title slide (an SVG logo rasterised), alt text its name."""
        assert self.brand.logo is not None
        data = logo_png(self.brand.logo)
        with PILImage.open(io.BytesIO(data)) as image:
            width, height = image.size
        area = Box(SLIDE_W - MARGIN_X - 200, 24, 200, 56)
        scale = min(area.w / width, area.h / height)
        w, h = width * scale, height * scale
        picture = slide.shapes.add_picture(io.BytesIO(data), emu(area.x + area.w - w), emu(area.y), emu(w), emu(h))
        picture.name = "Logo"
        set_alt(picture, self.brand.name)

    def draw_title(self, slide: Any, page: Page) -> None:
        """The title placeholder: position, size (shrunk to fit), colour."""
        kind = page.spec.kind
        box = title_box(page.spec)
        sizes = ((44.0, 40.0) + TITLE_SIZES[2:]) if kind == "title" else TITLE_SIZES
        size = next((s for s in sizes if title_lines_fit(page.title, s, box)), None)
        if size is None:
            raise FitError(page.title, f"slides: the title {page.title!r} is too long to fit even at {MIN_SIZE:g} pt")
        title = slide.shapes.title
        title.left, title.top, title.width, title.height = emu(box.x), emu(box.y), emu(box.w), emu(box.h)
        anchor = MSO_ANCHOR.BOTTOM if kind in ("title", "section") else MSO_ANCHOR.MIDDLE
        prepare_frame(title.text_frame, anchor)
        title.text_frame.text = ""
        write_paragraphs(title.text_frame, flow([title_paras(page.title)], size), kind, "primary")

    def draw_image(self, slide: Any, spec: SlideSpec) -> None:
        """A page's picture on the right, scaled into its box, with the author's alt text."""
        assert spec.image is not None
        path, alt = spec.image
        body = body_boxes(spec)[-1]
        area = Box(body.x + body.w + 24, BODY_TOP, MARGIN_X + CONTENT_W - body.x - body.w - 24,
                   BODY_BOTTOM - BODY_TOP)
        with PILImage.open(path) as image:
            width, height = image.size
        scale = min(area.w / width, area.h / height)
        w, h = width * scale, height * scale
        picture = slide.shapes.add_picture(str(path), emu(area.x + (area.w - w) / 2), emu(area.y), emu(w),
                                           emu(h))
        picture.name = "Picture"
        if alt:
            set_alt(picture, alt)
        else:
            set_decorative(picture)

    def draw_choices(self, slide: Any, spec: SlideSpec) -> None:
        """The options of a decision, stacked, each jumping to its consequence slide."""
        area, gap = choices_box(spec), 10.0
        texts = [[[Para([_run(choice.label.split("  ", 1)[0] + "  ", True),
                         _run(choice.label.split("  ", 1)[1], False)])]] for choice in spec.choices]
        inset = 10.0
        for size in CHOICE_SIZES:
            heights = [max(64.0, groups_height(t, size, area.w - 2 * inset) + 2 * inset) for t in texts]
            if sum(heights) + gap * (len(texts) - 1) <= area.h:
                break
        else:
            longest = max((choice.label.split("  ", 1)[-1] for choice in spec.choices), key=len)
            raise FitError(longest, f"slides: the choices of {spec.title!r} do not fit even at {MIN_SIZE:g} pt")
        y = area.y
        for choice, groups, height in zip(spec.choices, texts, heights, strict=True):
            shape = plain_shape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, Box(area.x, y, area.w, height),
                                "primary_tint", "primary")
            shape.name = f"Choice {choice.label.split()[0]}"
            prepare_frame(shape.text_frame, MSO_ANCHOR.MIDDLE, inset_x=inset, inset_y=inset)
            write_paragraphs(shape.text_frame, flow(groups, size), spec.kind, "ink")
            set_alt(shape, choice.descr)
            self.pending.append((shape, choice.target, spec.title))
            y += height + gap

    def draw_links(self, slide: Any, spec: SlideSpec) -> None:
        """Buttons along the bottom right that jump to other slides."""
        x = MARGIN_X + CONTENT_W
        y = SLIDE_H - 24 - BUTTON_H
        for link in reversed(spec.links):
            width = longest_line((Piece(link.label, True),), BUTTON_SIZE) / 0.95 + 2 * 16 + 4
            x -= width
            shape = plain_shape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, Box(x, y, width, BUTTON_H), "primary")
            shape.name = f"Link {link.label}"
            prepare_frame(shape.text_frame, MSO_ANCHOR.MIDDLE, inset_x=16, inset_y=4)
            label = flow([[Para([_run(link.label, True)])]], BUTTON_SIZE)
            write_paragraphs(shape.text_frame, label, spec.kind, "paper", align=PP_ALIGN.CENTER)
            set_alt(shape, link.descr)
            self.pending.append((shape, link.target, spec.title))
            x -= 16

    def draw_steps(self, slide: Any, spec: SlideSpec) -> None:
        """The steps in a grid: the step's icon, then its title and text."""
        steps = spec.steps
        columns = 1 if len(steps) <= 3 else 2
        rows = math.ceil(len(steps) / columns)
        gap = 16.0
        cell_w = (CONTENT_W - gap * (columns - 1)) / columns
        cell_h = (BODY_BOTTOM - BODY_TOP - gap * (rows - 1)) / rows
        icon = min(64.0, cell_h - 8)
        cells, texts = [], []
        for index, step in enumerate(steps):
            row, column = (index % rows, index // rows)
            cell = Box(MARGIN_X + column * (cell_w + gap), BODY_TOP + row * (cell_h + gap), cell_w, cell_h)
            cells.append(cell)
            texts.append([[Para([_run(step.title, True)], colour="primary")],
                          [Para([_run(step.text, False)])]])
        boxes = [Box(c.x + icon + 16, c.y, c.w - icon - 16, c.h) for c in cells]
        size = fit_size(texts, boxes, (26.0, 24.0, 22.0, 20.0, 18.0))
        if size is None:
            longest = max((step.text for step in steps), key=len)
            raise FitError(longest, f"slides: the steps on {spec.title!r} do not fit even at {MIN_SIZE:g} pt")
        for step, cell, box, groups in zip(steps, cells, boxes, texts, strict=True):
            add_icon(slide, step.icon, Box(cell.x, cell.y + 4, icon, icon), self.say("slides.icon_alt", title=step.title))
            add_text(slide, box, groups, size, spec.kind, name=f"Step {step.title}")


def _run(text: str, bold: bool) -> Any:
    from coursekit.text import Run

    return Run(text, bold, False)


# --- files --------------------------------------------------------------------------------------------------


def deterministic_zip(data: bytes) -> bytes:
    """Re-write a zip with sorted entries, fixed timestamps and modes (python-pptx stamps the time now)."""
    from coursekit.write import source_date_epoch

    stamp = time.gmtime(source_date_epoch())[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, source.read(name), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def set_properties(prs: Any, course: m.Course, plan: m.Plan) -> None:
    """Document properties, with dates fixed to the facts-checked date so builds are byte-identical."""
    fixed = dt.datetime.combine(course.facts_checked, dt.time(0, 0))
    properties = prs.core_properties
    properties.title = plan.title
    properties.subject = course.title
    say = messages(course.language)
    properties.author = branding(course).name
    # The engine that wrote the deck, with its version (the core properties have no "generator" field).
    properties.last_modified_by = engine_name()
    properties.keywords = f"{course.id}; {plan.kind}; {plan.audience}"
    properties.comments = say("slides.properties_comments", version=course.version,
                              date=course.facts_checked.isoformat(), engine=engine_name())
    properties.language = course.language
    properties.category = plan.kind
    properties.version = course.version
    properties.revision = 1
    properties.created = properties.modified = properties.last_printed = fixed


class FitError(BuildError):
    """Text that cannot fit on a slide; `text` is the offending text, to find its YAML line."""

    def __init__(self, text: str, message: str) -> None:
        super().__init__(message)
        self.text = text


def _folded(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def field_holding(obj: Any, text: str) -> tuple[str | int, ...]:
    """The field path inside model object `obj` of the string that holds `text` (markdown and spacing
    ignored); () if none does."""
    needle = _folded(text)[:60]

    def search(value: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        if isinstance(value, str):
            return path if needle and needle in _folded(value) else None
        if isinstance(value, BaseModel):
            items: list[tuple[str | int, Any]] = [(info.alias or name, getattr(value, name))
                                                  for name, info in type(value).model_fields.items()]
        elif isinstance(value, list):
            items = list(enumerate(value))
        elif isinstance(value, dict):
            items = list(value.items())
        else:
            return None
        for key, item in items:
            found = search(item, path + (key,))
            if found is not None:
                return found
        return None

    return search(obj, ()) or ()


def _located(error: BuildError, spec: SlideSpec | None, plan: m.Plan, course: m.Course,
             ctx: BuildContext | None) -> BuildError:
    """The error prefixed with the YAML file:line of the text that does not fit."""
    source, fields = spec.source if spec is not None and spec.source is not None else (plan, ())
    if isinstance(error, FitError) and error.text:
        fields = fields + field_holding(_at(source, fields), error.text)
    where = (ctx.where(source, *fields) if ctx is not None
             else getattr(course.facilitation, plan.kind) or plan.kind)
    return BuildError(f"{where}: {error}: shorten this text or split it")


def _at(obj: Any, fields: tuple[str | int, ...]) -> Any:
    for key in fields:
        if isinstance(obj, BaseModel):
            name = next((n for n, info in type(obj).model_fields.items() if (info.alias or n) == key), str(key))
            obj = getattr(obj, name, None)
        elif isinstance(obj, (list, dict)):
            try:
                obj = obj[key]  # type: ignore[index]
            except (IndexError, KeyError, TypeError):
                return None
    return obj


def build_deck(course: m.Course, plan: m.Plan, path: Path, ctx: BuildContext | None = None) -> Deck:
    """Build and write the deck for one plan; content that cannot fit names its YAML file:line."""
    pages = []
    for spec in build_outline(course, plan):
        try:
            pages += paginate(spec)
        except BuildError as exc:
            raise _located(exc, spec, plan, course, ctx) from exc
    unique_titles(pages)
    renderer = Renderer(course, plan)
    try:
        prs = renderer.render(pages)
    except BuildError as exc:
        raise _located(exc, renderer.current, plan, course, ctx) from exc
    set_properties(prs, course, plan)
    buffer = io.BytesIO()
    prs.save(buffer)
    path.write_bytes(deterministic_zip(buffer.getvalue()))
    return Deck(path, [page.spec.kind for page in pages])


def render_pdfs(decks: Sequence[Path], outdir: Path, *, timeout: float = 300) -> dict[Path, Path]:
    """Convert decks to PDF in ONE LibreOffice run (it is slow to start); {deck: pdf} for those converted."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise FileNotFoundError("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coursekit-soffice-") as profile:
        # A private profile: parallel LibreOffice runs would otherwise fight over the user's one.
        # An absolute file URL: a relative temp folder (a relative --out) would make LibreOffice hang.
        command = [soffice, f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless", "--norestore",
                   # Hidden slides (answers, consequences, endings) too: one page per slide, in order.
                   "--convert-to", 'pdf:impress_pdf_Export:{"ExportHiddenSlides":{"type":"boolean","value":"true"}}',
                   "--outdir", str(outdir), *map(str, decks)]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
    return {deck: outdir / f"{deck.stem}.pdf" for deck in decks if (outdir / f"{deck.stem}.pdf").is_file()}


def write_previews(decks: Sequence[Deck], ctx: BuildContext, folder: str = "previews") -> None:
    """PNG previews (40 dpi) of each deck's title, first decision, first quiz question and help slides."""
    if os.environ.get(PREVIEWS_ENV, "1") in ("0", "false", "no"):
        return
    if not decks:
        return
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        packages = {"soffice": "libreoffice-impress", "pdftoppm": "poppler-utils"}
        raise BuildError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing, so the slide "
                         f"previews cannot be made: install {' and '.join(packages[t] for t in missing)} "
                         f"(`make build` does it), or set {PREVIEWS_ENV}=0 to build the decks without previews")
    with tempfile.TemporaryDirectory(prefix="coursekit-previews-") as scratch:
        # LibreOffice draws only the previewed slides (a copy of each deck with just those), not whole decks.
        shown = {deck.path: preview_slides(deck) for deck in decks}
        decks = [deck for deck in decks if shown[deck.path]]
        if not decks:
            return
        copies = {deck.path: preview_deck(deck.path, [n for _, n in shown[deck.path]], Path(scratch) / "decks")
                  for deck in decks}
        try:
            pdfs = render_pdfs(list(copies.values()), Path(scratch))
        except (subprocess.SubprocessError, OSError) as error:
            ctx.warn(f"LibreOffice could not render the decks ({error}): previews skipped")
            return
        for deck in decks:
            pdf = pdfs.get(copies[deck.path])
            if pdf is None:
                ctx.warn(f"no PDF for {deck.path.name}: previews skipped")
                continue
            pages = sorted(number for _, number in shown[deck.path])
            for kind, number in shown[deck.path]:
                target = ctx.path(f"{folder}/{deck.path.stem}-{number:02d}-{kind}.png")
                page = str(pages.index(number) + 1)
                subprocess.run(["pdftoppm", "-r", "40", "-f", page, "-l", page, "-png",
                                "-singlefile", str(pdf), str(target.with_suffix(""))], check=True,
                               capture_output=True)


def preview_deck(path: Path, numbers: Sequence[int], folder: Path) -> Path:
    """A copy of the deck at `path` with only slides `numbers` (in deck order), in `folder`: each is drawn
    exactly as in the whole deck (no slide shows its number), and LibreOffice lays out 4 slides, not 140."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    prs = Presentation(str(path))
    slides = prs.slides._sldIdLst
    kept = []
    for number, slide_id in enumerate(list(slides), start=1):
        if number in numbers:
            kept.append(prs.part.related_part(slide_id.rId))
        else:
            prs.part.drop_rel(slide_id.rId)
            slides.remove(slide_id)
    for part in kept:  # jumps to dropped slides and the speaker notes are not drawn: leave them out
        for rel_id, rel in list(part.rels.items()):
            if rel.reltype in (RT.SLIDE, RT.NOTES_SLIDE):
                part.rels.pop(rel_id)
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / path.name
    prs.save(str(copy))
    return copy


def preview_slides(deck: Deck) -> list[tuple[str, int]]:
    """(kind, slide number) of each slide a preview is made of: the first slide of each preview kind."""
    return [(kind, deck.kinds.index(kind) + 1) for kind in PREVIEW_KINDS if kind in deck.kinds]


_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Relationships that do not change how a slide is drawn: its speaker notes, and jumps to other slides.
_NOT_DRAWN = ("/notesSlide", "/slide")


def preview_parts(path: Path, numbers: Sequence[int]) -> list[tuple[str, bytes]]:
    """The parts of the deck that decide how slides `numbers` are drawn (each slide, what it uses: layout,
    master, theme, images; the presentation and content types), so their previews are made again only
    when one of these changed, not when a slide no preview shows changed."""
    import posixpath
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as deck:
        names = set(deck.namelist())

        def rels(part: str) -> list[tuple[str, str]]:
            """(type, target part) of each internal relationship of `part`."""
            folder, base = posixpath.split(part)
            rels_name = posixpath.join(folder, "_rels", base + ".rels")
            if rels_name not in names:
                return []
            found = []
            for rel in ET.fromstring(deck.read(rels_name)).iter(f"{_REL_NS}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                found.append((rel.get("Type", ""),
                              posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))))
            return found

        by_id: dict[str | None, str] = {}
        presentation = "ppt/presentation.xml"
        for rel in ET.fromstring(deck.read("ppt/_rels/presentation.xml.rels")).iter(f"{_REL_NS}Relationship"):
            by_id[rel.get("Id")] = posixpath.normpath(posixpath.join("ppt", rel.get("Target", "")))
        order = [by_id[sld.get(_R_ID)] for sld in ET.fromstring(deck.read(presentation)).iter()
                 if sld.tag.endswith("}sldId")]
        todo = [order[number - 1] for number in numbers] + [presentation, "[Content_Types].xml"]
        seen: set[str] = set()
        while todo:
            part = todo.pop()
            if part in seen or part not in names:
                continue
            seen.add(part)
            folder, base = posixpath.split(part)
            seen.add(posixpath.join(folder, "_rels", base + ".rels"))
            todo += [target for kind, target in rels(part) if not kind.endswith(_NOT_DRAWN)
                     and part != presentation]
        return [(name, deck.read(name)) for name in sorted(seen & names)]


class SlidesTarget(Target):
    """Writes <course>-lesson.pptx and <course>-talk.pptx (16:9, speaker notes), and PNG previews."""

    name = "slides"
    description = "lesson and talk slide decks (PPTX) with speaker notes"

    def build(self, ctx: BuildContext) -> None:
        """Write one deck per plan whose audience is being built."""
        course = ctx.course
        decks = []
        for plan in (course.lesson, course.talk):
            if plan is None or plan.audience not in ctx.audiences:
                continue
            with ctx.document(f"{plan.kind}-deck", deck_inputs(course, plan)) as doc:
                if doc.hit:
                    deck = Deck(ctx.out / f"{course.id}-{plan.kind}.pptx", list(doc.meta["kinds"]))
                else:
                    deck = build_deck(course, plan, ctx.path(f"{course.id}-{plan.kind}.pptx"), ctx)
                    doc.meta["kinds"] = deck.kinds
            decks.append(deck)
        # LibreOffice (one run, it is slow to start) only for the decks whose bytes changed: the previews of
        # the others come from the cache.
        tools = [shutil.which(tool) is not None for tool in ("soffice", "pdftoppm")], os.environ.get(PREVIEWS_ENV)
        with ExitStack() as stack:
            changed = []
            for deck in decks:
                shown = preview_slides(deck)
                drawn = preview_parts(deck.path, [number for _, number in shown])
                doc = stack.enter_context(ctx.document(f"{deck.path.stem}-previews", shown, drawn, tools,
                                                       only=f"previews/{deck.path.stem}-*"))
                if not doc.hit:
                    changed.append(deck)
            write_previews(changed, ctx)
