"""One look across outputs: the palette, fonts and icons every target uses, defined once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import heroicons


@dataclass(frozen=True)
class Palette:
    """Calm, high-contrast colours. Every text/background pair used is ≥ 4.5:1 (tested)."""

    ink: str = "#1b1f24"  # body text
    paper: str = "#ffffff"
    primary: str = "#1d4f91"  # headings, buttons (on paper 8.4:1)
    primary_dark: str = "#143a6b"
    primary_tint: str = "#e8f0fa"  # panels behind ink text
    accent: str = "#0b6e4f"  # "good" / help (on paper 6.3:1)
    accent_tint: str = "#e3f4ec"
    warning: str = "#8a4b00"  # warning signs (on paper 6.6:1)
    warning_tint: str = "#fdf1e2"
    muted: str = "#4a5563"  # secondary text (on paper 7.4:1)
    rule: str = "#c9d2dd"  # borders only, never text
    focus: str = "#b3470a"  # focus outline, 3:1+ against paper and primary tint


PALETTE = Palette()

# Fonts from Debian packages (fonts-inter, fonts-lato, fonts-noto-color-emoji): installed by the Makefile, never
# fetched. Emoji (with their joiners and variation selectors) print in colour from Noto Color Emoji, which
# fontconfig picks for them as a fallback. It is not named in the stack: there, Pango would take it for digits
# and spaces too (they are emoji-capable code points, for keycaps).
FONT_DIRS = (Path("/usr/share/fonts/opentype/inter"), Path("/usr/share/fonts/truetype/lato"))
FONT_FAMILY = "Inter"
EMOJI_FONT = "Noto Color Emoji"
EMOJI_FONT_FILE = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
FONT_STACK = "Inter, Lato, 'Noto Sans', 'DejaVu Sans', sans-serif"
FONT_FILES = {
    "regular": "/usr/share/fonts/opentype/inter/Inter-Regular.otf",
    "bold": "/usr/share/fonts/opentype/inter/Inter-Bold.otf",
    "italic": "/usr/share/fonts/opentype/inter/Inter-Italic.otf",
    "semibold": "/usr/share/fonts/opentype/inter/Inter-SemiBold.otf",
}

# Semantic icon name (model.IconName) -> heroicons outline icon. The same idea, the same icon, everywhere.
ICONS: dict[str, str] = {
    "help": "lifebuoy",
    "warning": "exclamation-triangle",
    "phone": "phone",
    "chat": "chat-bubble-left-right",
    "shield": "shield-check",
    "camera": "video-camera",
    "camera-off": "video-camera-slash",
    "lock": "lock-closed",
    "stop": "hand-raised",
    "evidence": "camera",
    "no-pay": "no-symbol",
    "report": "flag",
    "user": "user",
    "users": "users",
    "heart": "heart",
    "info": "information-circle",
    "check": "check-circle",
    "link": "link",
    "eye": "eye",
    "clock": "clock",
    "book": "book-open",
    "school": "academic-cap",
    "light": "light-bulb",
    # Interface marks (not author icons): answer feedback in the learner module.
    "correct": "check-circle",
    "email": "envelope",
    "incorrect": "x-circle",
}


@cache
def icon_svg(name: str, *, size: int = 24, color: str = "currentColor", stroke_width: float = 1.5) -> str:
    """The SVG markup of semantic icon `name` (decorative: aria-hidden; label it where it carries meaning)."""
    svg = heroicons._render_icon("outline", ICONS[name], size, {"stroke-width": stroke_width,
                                                                 "aria-hidden": "true", "focusable": "false"})
    return svg.replace('stroke="currentColor"', f'stroke="{color}"') if color != "currentColor" else svg


@cache
def icon_png(name: str, *, size: int = 256, color: str = PALETTE.primary) -> bytes:
    """The icon rasterised to PNG (slides need raster images), from the same SVG."""
    import cairosvg

    svg = icon_svg(name, size=size, color=color)
    png: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=size, output_height=size)
    return png


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_variables() -> str:
    """The palette as CSS custom properties, for the web and print stylesheets."""
    lines = [f"  --{name.replace('_', '-')}: {value};" for name, value in vars(PALETTE).items()]
    return ":root {\n" + "\n".join(lines) + f"\n  --font: {FONT_STACK};\n}}\n"
