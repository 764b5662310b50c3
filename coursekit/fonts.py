"""The theme font inside the learner module: Inter (Debian's fonts-inter) subset to the characters a module
shows, as WOFF2 (fontTools' subsetter, brotli), so the module looks the same on every device and fetches nothing.

Two faces: regular for normal text, semi-bold for every bold weight (600-700); italic is slanted by the browser
from the regular face. The subset is deterministic: the same characters give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from coursekit import theme


@dataclass(frozen=True)
class Face:
    """One embedded face: its file in the module, the weights it serves and the installed font it comes from."""

    name: str  # file name in the module's fonts/ folder
    weight: str  # CSS font-weight (a range for the bold face)
    source: str  # the installed OpenType file


FACES = (
    Face("inter-regular.woff2", "400", theme.FONT_FILES["regular"]),
    Face("inter-semibold.woff2", "600 700", theme.FONT_FILES["semibold"]),
)

# Always in the subset, whatever the course says: basic Latin and typographic punctuation (a learner's name or a
# string added later still shows in Inter); everything else only when the module shows it.
BASIC = "".join(chr(code) for code in range(0x20, 0x7F)) + "\u00a0‘’“”–—…•·£€©°×"

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def font_face_css(folder: str = "fonts") -> str:
    """The @font-face rules for the embedded faces (family Inter, files under `folder`)."""
    return "".join(f'@font-face{{font-family:Inter;font-style:normal;font-weight:{face.weight};font-display:swap;'
                   f'src:url("{folder}/{face.name}") format("woff2")}}\n' for face in FACES)


def shown_characters(*texts: str) -> str:
    """Every character the texts can show (HTML entities and JSON \\u escapes decoded), with BASIC, sorted."""
    characters = set(BASIC)
    for text in texts:
        characters.update(html.unescape(_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)))
    return "".join(sorted(c for c in characters if c.isprintable() or c == " "))


def missing_faces() -> list[str]:
    """The installed font files the module embeds that are not installed."""
    return [face.source for face in FACES if not Path(face.source).is_file()]


@lru_cache(maxsize=8)
def subset_woff2(source: str, characters: str) -> bytes:
    """The font at `source` subset to `characters` (kerning kept, hinting dropped) as WOFF2 bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern"]
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [1, 2, 4, 6]
    options.notdef_outline = True
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def module_fonts(*texts: str, cache: Path | None = None) -> dict[str, bytes]:
    """The embedded faces for a module showing `texts`: {file name: WOFF2 bytes}; kept in `cache` (the build
    cache folder) by font file and characters, since subsetting costs about a second per face."""
    characters = shown_characters(*texts)
    return {face.name: _cached_subset(face.source, characters, cache) for face in FACES}


# A folder of font subsets shared by every build (e.g. a test session's hundreds of builds); without it the
# subsets are kept in each build's own cache folder (outputs/.cache/fonts).
SHARED_CACHE_ENV = "COURSEKIT_FONT_CACHE"


def _cached_subset(source: str, characters: str, cache: Path | None) -> bytes:
    shared = os.environ.get(SHARED_CACHE_ENV, "").strip()
    folder = Path(shared) if shared else cache / "fonts" if cache is not None else None
    if folder is None:
        return subset_woff2(source, characters)
    from coursekit.cache import engine_hash

    # engine_hash covers this code, the fontTools version and the font files: a shared folder never goes stale.
    key = hashlib.sha256(f"{source}\0{engine_hash()}\0{characters}".encode()).hexdigest()
    path = folder / f"{key}.woff2"
    try:
        data = path.read_bytes()
        if data[:4] == b"wOF2":  # a damaged entry is made again
            return data
    except OSError:
        pass
    data = subset_woff2(source, characters)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(path)  # whole or absent, even with two workers writing the same entry
        # Bounded: a course's character set rarely changes, so a few entries per face are plenty (a shared
        # folder serves many courses).
        entries = sorted(path.parent.glob("*.woff2"), key=lambda entry: entry.stat().st_mtime_ns)
        for old in entries[:-(64 if shared else 4) * len(FACES)]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # the cache is an optimisation: a read-only or full disk only costs time
    return data
