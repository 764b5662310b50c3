"""Checks on what an author (or a hostile one) can put in a course: links, images, markdown images.

Link rule: a help contact's or source's `url` and every markdown link may use https:, http: (warned:
use https), mailto: or tel: only. Anything else (javascript:, data:, vbscript:, file:, a URL with no
scheme) could replace the course inside an LMS with an author-controlled page, so it is an error.
Images: PNG and JPEG only, recognised by their content. SVG is refused because the slide decks
(python-pptx) cannot place it. Markdown images are refused: the module fetches nothing, and images come
from a page's `image:` field, which every target renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("https", "http", "mailto", "tel")
IMAGE_TYPES = {"png": "PNG", "jpeg": "JPEG"}
MAX_IMAGE_BYTES = 5_000_000
MAX_IMAGE_PIXELS = 40_000_000

# Browsers drop ASCII tab/newline inside a URL and ignore leading controls/spaces: "java\tscript:" runs.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class Finding:
    """A problem in a piece of text: how many lines below the text's first line, and what is wrong."""

    line_offset: int
    message: str
    warning: bool = False


def url_problem(url: str, what: str = "link") -> Finding | None:
    """Why `url` may not be used as a link (None when it is fine)."""
    shown = url if len(url) <= 60 else url[:57] + "..."
    compact = _IGNORED_IN_URL.sub("", url)
    match = _SCHEME.match(compact)
    if match is None:
        return Finding(0, f"the {what} '{shown}' has no scheme: write it in full, starting with https:// "
                          "(or mailto: for an email address, tel: for a phone number)")
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        return Finding(0, f"the {what} '{shown}' uses '{scheme}:', which is not allowed (it could run code or "
                          "replace the course with another page): use an https://, mailto: or tel: address")
    if scheme == "http":
        return Finding(0, f"the {what} '{shown}' is not secure (http:): use https:// if the site offers it",
                       warning=True)
    return None


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    # See every link: markdown-it would silently turn the bad ones into text, hiding them from the check.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def markdown_problems(text: str) -> list[Finding]:
    """Links with a scheme that is not allowed, and images, in one markdown text."""
    if "[" not in text and "<" not in text:  # no link or image can start without one of these
        return []
    findings: list[Finding] = []
    for block in _parser().parse(text):
        if block.type != "inline":
            continue
        offset = block.map[0] if block.map else 0
        for child in block.children or []:
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if href.startswith("#"):
                    continue
                problem = url_problem(href, "link")
                if problem is not None:
                    findings.append(Finding(offset, problem.message, problem.warning))
            elif child.type == "image":
                src = str(child.attrs.get("src", ""))
                shown = src if len(src) <= 60 else src[:57] + "..."
                if _SCHEME.match(_IGNORED_IN_URL.sub("", src)):
                    findings.append(Finding(offset, f"the markdown image '{shown}' is fetched from elsewhere: the "
                                                    "course makes no requests; copy the picture into the course "
                                                    "folder and use the page's 'image:' field"))
                else:
                    findings.append(Finding(offset, f"markdown images ('{shown}') are not shown in the outputs: "
                                                    "use the page's 'image:' field (file and alt text)"))
    return findings


def sniff_image(head: bytes) -> str | None:
    """'png' or 'jpeg' from a file's first bytes, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def image_problem(path: Path) -> str | None:
    """Why the file at `path` cannot be used as a course image (None when it is a sound PNG or JPEG)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        return f"cannot read the image ({exc.strerror or exc})"
    if size > MAX_IMAGE_BYTES:
        return (f"the image is {size:,} bytes; images must be under {MAX_IMAGE_BYTES:,} bytes: "
                "save it smaller (e.g. 1600 px wide)")
    kind = sniff_image(head)
    if kind is None:
        found = "an SVG drawing" if b"<svg" in path.read_bytes()[:2048].lower() else "not a PNG or JPEG picture"
        return (f"the image file holds {found} (whatever its name says): every output can show PNG and JPEG "
                "only; export it as .png or .jpg")
    from PIL import Image  # only when a course has images: validate stays light otherwise

    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return (f"the image is {image.width}x{image.height} pixels; at most {MAX_IMAGE_PIXELS:,} "
                        "pixels are allowed: save it smaller")
            image.verify()
        with Image.open(path) as image:
            image.load()  # verify() does not decode; a truncated file fails only here
    except Exception as exc:  # noqa: BLE001  Pillow raises many kinds for a damaged file; all mean one thing here
        return f"the {IMAGE_TYPES[kind]} image is damaged ({exc}): export it again"
    return None
