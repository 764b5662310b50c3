"""A course's branding: its primary colour (checked against white text) and its logo (PNG or SVG, checked).

The colour carries white text wherever it is used as a background (the module's top bar, the pack page's
header, slide title bars), so it must reach WCAG's 4.5:1 against white. A colour that does not is refused,
with the nearest passing shade of the same hue: the same hue and saturation, darkened in HSL until it passes.

A logo is a PNG (recognised by content) or an SVG that parses as SVG XML with nothing in it that runs or
fetches: no script, no event attributes, no foreignObject, no reference outside the file. Slide decks need a
raster image, so an SVG logo is rasterised with CairoSVG for them.
"""

from __future__ import annotations

import base64
import colorsys
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from coursekit.theme import contrast_ratio

MIN_CONTRAST = 4.5
HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_LOGO_BYTES = 1_000_000
MIN_LOGO_SIDE = 48  # px on the shorter side: smaller logos blur in print
MAX_LOGO_SIDE = 4096  # px on the longer side
MAX_LOGO_RATIO = 8  # a wider (or taller) logo is unreadable at the size outputs show it
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


def white_contrast(colour: str) -> float:
    """The contrast ratio of white text on `colour` (#rrggbb)."""
    return contrast_ratio("#ffffff", colour)


def _hex(red: float, green: float, blue: float) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in (red, green, blue))


def passing_shade(colour: str) -> str:
    """The lightest shade of `colour`'s hue (same HSL hue and saturation, lower lightness) that carries white
    text at 4.5:1 or more; `colour` itself when it already does."""
    if white_contrast(colour) >= MIN_CONTRAST:
        return colour.lower()
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    # Contrast falls as lightness rises: search the lightness in thousandths, then take the first step whose
    # rounded hex passes (rounding to 8-bit channels can tip a borderline shade either way).
    step = int(lightness * 1000)
    low, high = 0, step  # low passes (black does), high fails
    while high - low > 1:
        middle = (low + high) // 2
        if white_contrast(_hex(*colorsys.hls_to_rgb(hue, middle / 1000, saturation))) >= MIN_CONTRAST:
            low = middle
        else:
            high = middle
    while low > 0 and white_contrast(_hex(*colorsys.hls_to_rgb(hue, low / 1000, saturation))) < MIN_CONTRAST:
        low -= 1
    return _hex(*colorsys.hls_to_rgb(hue, low / 1000, saturation))


def colour_problem(colour: str) -> str | None:
    """Why `colour` cannot be the brand colour (None when it can)."""
    if not HEX_RE.match(colour):
        return (f"'{colour}' is not a colour: write it as a hex code in quotes, like \"#1d4f91\" "
                "(unquoted, YAML reads everything after # as a comment)")
    ratio = white_contrast(colour)
    if ratio >= MIN_CONTRAST:
        return None
    shown = math.floor(ratio * 100) / 100  # rounded down: a refused colour never reads as "4.50:1"
    return (f"the brand colour '{colour}' gives white text a contrast of only {shown:.2f}:1, and text on it "
            f"needs at least {MIN_CONTRAST}:1: use '{passing_shade(colour)}', the nearest passing shade of the "
            "same hue, or a darker colour")


def logo_kind(path: Path) -> str | None:
    """'png' or 'svg' from the file's content, else None."""
    with path.open("rb") as handle:
        head = handle.read(512)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in path.read_bytes().lower():
        return "svg"
    return None


def _svg_size(root: Any) -> tuple[float, float] | None:
    """The SVG's width and height in px, from width/height or the viewBox."""
    get = root.get

    def length(value: str | None) -> float | None:
        match = re.fullmatch(r"\s*([0-9.]+)\s*(px)?\s*", value or "")
        return float(match.group(1)) if match else None

    width, height = length(get("width")), length(get("height"))
    if width and height:
        return width, height
    box = (get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return float(box[2]), float(box[3])
        except ValueError:
            return None
    return None


_URL_RE = re.compile(r"url\(\s*['\"]?([^)'\"]*)", re.IGNORECASE)


def _external_url(value: str) -> bool:
    """Whether a CSS value refers to anything but a fragment of the same file."""
    return any(not found.strip().startswith("#") for found in _URL_RE.findall(value))


def _svg_problem(path: Path) -> tuple[str | None, tuple[float, float] | None]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(path.read_bytes(), parser)
    except etree.XMLSyntaxError as exc:
        return f"the SVG logo is not well-formed XML ({exc}): export it again", None
    if root.tag != f"{{{SVG_NS}}}svg":
        return "the logo's XML is not an SVG drawing (its root is not <svg> in the SVG namespace)", None
    if root.getroottree().docinfo.internalDTD is not None:
        return "the SVG logo declares a DTD (entities): export it again without one", None
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        name = etree.QName(element).localname.lower()
        if name in ("script", "foreignobject", "iframe", "embed", "object", "audio", "video"):
            return f"the SVG logo contains <{name}>, which could run code or fetch content: remove it", None
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname.lower()
            if local.startswith("on"):
                return f"the SVG logo has an event attribute '{local}' (code that runs): remove it", None
            if local == "href" and not value.strip().startswith(("#", "data:image/png", "data:image/jpeg")):
                return (f"the SVG logo refers to '{value[:60]}' outside the file: embed it, or remove the "
                        "reference (outputs never fetch anything)"), None
            if _external_url(value):
                return f"the SVG logo refers to {value[:60]!r} outside the file: remove the reference", None
        if name == "style" and ("@import" in (element.text or "") or _external_url(element.text or "")):
            return "the SVG logo's <style> imports or fetches something outside the file: remove it", None
    size = _svg_size(root)
    if size is None:
        return "the SVG logo has no size: give its <svg> a viewBox (or width and height in px)", None
    return None, size


def logo_problem(path: Path) -> str | None:
    """Why the file at `path` cannot be the brand logo (None when it is a sound PNG or SVG of sane size)."""
    try:
        size = path.stat().st_size
        kind = logo_kind(path)
    except OSError as exc:
        return f"cannot read the logo ({exc.strerror or exc})"
    if size > MAX_LOGO_BYTES:
        return f"the logo is {size:,} bytes; a logo must be under {MAX_LOGO_BYTES:,} bytes: save it smaller"
    if kind is None:
        return ("the logo file is not a PNG or SVG picture (whatever its name says): export the logo as .png "
                "or .svg")
    if kind == "svg":
        problem, dimensions = _svg_problem(path)
        if problem is not None or dimensions is None:
            return problem
        width, height = dimensions
        if min(width, height) <= 0:
            return "the SVG logo's width or height is 0: fix its viewBox"
    else:
        from PIL import Image

        try:
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_LOGO_SIDE * MAX_LOGO_SIDE:
                    return f"the logo is {width}x{height} pixels: save it at most {MAX_LOGO_SIDE} px wide"
                image.load()
        except Exception as exc:  # noqa: BLE001  Pillow raises many kinds for a damaged file; all mean one thing
            return f"the PNG logo is damaged ({exc}): export it again"
        if min(width, height) < MIN_LOGO_SIDE:
            return (f"the logo is only {width}x{height} pixels; it needs at least {MIN_LOGO_SIDE} px on its "
                    "shorter side to print sharply: export it larger (or as SVG)")
        if max(width, height) > MAX_LOGO_SIDE:
            return f"the logo is {width}x{height} pixels; at most {MAX_LOGO_SIDE} px on a side: save it smaller"
    if max(width, height) / min(width, height) > MAX_LOGO_RATIO:
        return (f"the logo is {width:g}x{height:g}: more than {MAX_LOGO_RATIO} times as wide as it is tall (or the "
                "reverse), it would be unreadable at logo size: use a more compact version")
    return None


@lru_cache(maxsize=8)
def _png_of(path: str, mtime_ns: int, height: int) -> bytes:
    data = Path(path).read_bytes()
    if data.startswith(b"\x89PNG"):
        return data
    import cairosvg

    png: bytes = cairosvg.svg2png(bytestring=data, output_height=height, unsafe=False)
    return png


def logo_png(path: Path, *, height: int = 256) -> bytes:
    """The logo as PNG bytes (an SVG rasterised `height` px tall with CairoSVG; a PNG as it is)."""
    return _png_of(str(path), path.stat().st_mtime_ns, height)


def logo_data_uri(path: Path) -> str:
    """The logo as a data: URI (PNG or SVG as it is), for documents that embed it."""
    data = path.read_bytes()
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
