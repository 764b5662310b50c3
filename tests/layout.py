"""Overlap finding from an output's own geometry: PDF word boxes (pdfplumber) against drawings and images,
and against each other. Used by the print and slide tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TOLERANCE = 0.8  # points: boxes that merely touch (an icon beside a word, a border under it) do not count


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in points, y growing downwards."""

    x0: float
    top: float
    x1: float
    bottom: float
    what: str

    @property
    def area(self) -> float:
        """Width times height."""
        return max(0.0, self.x1 - self.x0) * max(0.0, self.bottom - self.top)

    def overlaps(self, other: Box, tolerance: float = TOLERANCE) -> bool:
        """Whether the two boxes share more than a sliver in both directions."""
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > tolerance
                and min(self.bottom, other.bottom) - max(self.top, other.top) > tolerance)

    def contains(self, other: Box, tolerance: float = TOLERANCE) -> bool:
        """Whether `other` lies inside this box."""
        return (other.x0 >= self.x0 - tolerance and other.x1 <= self.x1 + tolerance
                and other.top >= self.top - tolerance and other.bottom <= self.bottom + tolerance)


def _graphics(page) -> list[Box]:  # type: ignore[no-untyped-def]
    """Every painted drawing (rect, curve, line) and image of a page, as boxes."""
    boxes = []
    for kind in ("rects", "curves", "lines", "images"):
        for obj in getattr(page, kind):
            if kind != "images" and not (obj.get("fill") or obj.get("stroke")):
                continue
            box = Box(float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]), kind[:-1])
            if box.x1 - box.x0 < 0.3 and box.bottom - box.top < 0.3:
                continue  # a degenerate dot (an empty path)
            boxes.append(box)
    return boxes


def _words(page) -> list[Box]:  # type: ignore[no-untyped-def]
    """Word boxes in drawing order (so a badge's number and the title beside it stay separate words)."""
    words = page.extract_words(use_text_flow=True, keep_blank_chars=False, extra_attrs=["size"])
    return [Box(float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]), w["text"]) for w in words]


def pdf_overlaps(path: Path) -> list[str]:
    """Every place in the PDF where a word's box runs into a drawing or an image it does not sit on, or into
    another word. A word may sit on a graphic that wholly contains it (a card, a badge's number bubble); it
    may not touch a graphic that is bigger than the smallest one it sits on (an icon, a QR code, a badge)."""
    import pdfplumber

    problems: list[str] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            graphics = _graphics(page)
            words = _words(page)
            for word in words:
                holders = [g for g in graphics if g.contains(word)]
                base = min((g.area for g in holders), default=float("inf"))
                for graphic in graphics:
                    if graphic.overlaps(word) and not graphic.contains(word) and graphic.area <= base:
                        problems.append(f"page {number}: word {word.what!r} at ({word.x0:.0f}, {word.top:.0f}) "
                                        f"runs into a {graphic.what} at ({graphic.x0:.0f}, {graphic.top:.0f})-"
                                        f"({graphic.x1:.0f}, {graphic.bottom:.0f})")
                        break
            ordered = sorted(words, key=lambda w: (w.top, w.x0))
            for index, word in enumerate(ordered):
                for other in ordered[index + 1:]:
                    if other.top > word.bottom:
                        break
                    if word.overlaps(other, 1.0):
                        problems.append(f"page {number}: words {word.what!r} and {other.what!r} overlap at "
                                        f"({word.x0:.0f}, {word.top:.0f})")
    return problems


# --- slides: text as measured against pictures and shapes as placed ---------------------------------------------


def _shape_box(shape) -> Box:  # type: ignore[no-untyped-def]
    emu = 12700
    return Box(shape.left / emu, shape.top / emu, (shape.left + shape.width) / emu,
               (shape.top + shape.height) / emu, shape.name)


def _text_box(shape) -> Box | None:  # type: ignore[no-untyped-def]
    """Where a shape's text is, measured with the deck's own fonts (slides_fit): the inner width of the frame
    and the measured height, placed by the frame's vertical anchor."""
    from pptx.enum.text import MSO_ANCHOR

    from coursekit.targets.slides_fit import EMU_PER_PT, frame_paragraphs, paragraphs_height

    if not shape.has_text_frame or not shape.text_frame.text.strip():
        return None
    frame = shape.text_frame
    box = _shape_box(shape)
    left, right = frame.margin_left / EMU_PER_PT, frame.margin_right / EMU_PER_PT
    top, bottom = frame.margin_top / EMU_PER_PT, frame.margin_bottom / EMU_PER_PT
    inner_w = box.x1 - box.x0 - left - right
    inner_h = box.bottom - box.top - top - bottom
    height = paragraphs_height(frame_paragraphs(frame), inner_w)
    anchor = frame.vertical_anchor
    offset = {MSO_ANCHOR.MIDDLE: (inner_h - height) / 2, MSO_ANCHOR.BOTTOM: inner_h - height}.get(anchor, 0.0)
    y = box.top + top + offset
    return Box(box.x0 + left, y, box.x0 + left + inner_w, y + height, shape.name)


def slide_overlaps(path: Path) -> list[str]:
    """Every place in a deck where a shape's measured text runs into a picture, another shape, or another
    shape's text (a shape's own text sits inside its own box)."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    problems = []
    for number, slide in enumerate(Presentation(str(path)).slides, start=1):
        shapes = list(slide.shapes)
        texts = {id(s): t for s in shapes if (t := _text_box(s)) is not None}
        for shape in shapes:
            text = texts.get(id(shape))
            if text is None:
                continue
            for other in shapes:
                if other is shape:
                    continue
                filled = other.shape_type in (MSO_SHAPE_TYPE.PICTURE, MSO_SHAPE_TYPE.AUTO_SHAPE)
                target = _shape_box(other) if filled else texts.get(id(other))
                if target is not None and text.overlaps(target):
                    problems.append(f"slide {number}: the text of {shape.name!r} runs into {other.name!r}")
    return problems
