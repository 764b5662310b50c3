"""Markdown → sanitized HTML for the web and print targets, and → plain runs for slides."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the YAML is not rendered: authors write markdown; nh3 is the second fence. Autolinks are off:
# "<support@example.org>" may be a scammer's address in a course about scams: shown as typed, never clickable
# (an author writes a link as [text](url)); angle brackets stay literal text.
_OPTIONS = {"html": False, "linkify": False, "typographer": False}
_MD = MarkdownIt("commonmark", _OPTIONS).enable("table").disable("autolink")
# Chat messages and prompts keep the author's line breaks (a fake email's header lines, a signature).
_MD_BREAKS = MarkdownIt("commonmark", {**_OPTIONS, "breaks": True}).enable("table").disable("autolink")
_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h3", "h4", "blockquote", "br", "code",
         "table", "thead", "tbody", "tr", "th", "td"}


@lru_cache(maxsize=4096)
def to_html(markdown: str, *, breaks: bool = False) -> str:
    """Markdown → HTML safe to put in a page (links limited to http(s), mailto and tel); with `breaks`, each
    line break the author typed is kept."""
    html = (_MD_BREAKS if breaks else _MD).render(markdown)
    return nh3.clean(html, tags=_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto", "tel"},
                     link_rel="noopener noreferrer").strip()


@lru_cache(maxsize=4096)
def to_inline_html(markdown: str, *, breaks: bool = False) -> str:
    """Markdown for one line (no surrounding paragraph) → safe HTML; with `breaks`, line breaks are kept."""
    html = (_MD_BREAKS if breaks else _MD).renderInline(markdown)
    return nh3.clean(html, tags={"strong", "em", "code", "a", "br"}, attributes={"a": {"href"}},
                     url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer").strip()


@dataclass
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""  # the target when the run is the text of a link


@dataclass
class Block:
    """A paragraph or list item as styled runs; level 0 is a paragraph, 1+ a bullet depth."""

    runs: list[Run] = field(default_factory=list)
    level: int = 0
    ordered: bool = False

    @property
    def text(self) -> str:
        """The block's plain text."""
        return "".join(run.text for run in self.runs)


def to_blocks(markdown: str, *, breaks: bool = False) -> list[Block]:
    """Markdown → paragraphs and list items made of styled runs (for PPTX and plain text). A hard break
    (and with `breaks`, every line break) is a "\n" in a run; links keep their target in `Run.href`."""
    blocks: list[Block] = []
    depth = 0
    ordered_stack: list[bool] = []
    for token in _MD.parse(markdown):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            ordered_stack.append(token.type == "ordered_list_open")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            ordered_stack.pop()
        elif token.type == "inline":
            block = Block(level=depth, ordered=bool(ordered_stack and ordered_stack[-1]))
            bold = italic = False
            href = ""
            for child in token.children or []:
                if child.type == "strong_open":
                    bold = True
                elif child.type == "strong_close":
                    bold = False
                elif child.type == "em_open":
                    italic = True
                elif child.type == "em_close":
                    italic = False
                elif child.type == "link_open":
                    href = _safe_href(str(child.attrGet("href") or ""))
                elif child.type == "link_close":
                    href = ""
                elif child.type in ("text", "code_inline"):
                    block.runs.append(Run(child.content, bold, italic, href))
                elif child.type == "hardbreak" or (breaks and child.type == "softbreak"):
                    block.runs.append(Run("\n", bold, italic))
                elif child.type == "softbreak":
                    block.runs.append(Run(" ", bold, italic))
            if block.runs:
                blocks.append(block)
    return blocks


def _safe_href(url: str) -> str:
    """A link target if its scheme is one learner text may use (http(s), mailto, tel), else ""."""
    return url if url.split(":", 1)[0].lower() in {"http", "https", "mailto", "tel"} and ":" in url else ""


@lru_cache(maxsize=16384)  # pure, and asked for the same texts by validate (reading ages) and every target
def to_plain(markdown: str) -> str:
    """Markdown → plain text: paragraphs separated by blank lines, list items by '• '."""
    lines = []
    for block in to_blocks(markdown):
        prefix = "  " * max(0, block.level - 1) + ("• " if block.level else "")
        lines.append(prefix + block.text)
    return "\n".join(lines)


def one_line(markdown: str) -> str:
    """Markdown as one line of plain text (emphasis dropped, list items as "• ", whitespace folded): for
    places that take a single plain line (Kahoot cells, quiz-bank menus)."""
    return " ".join(to_plain(markdown).split())


def url_label(url: str) -> str:
    """A URL as people would type or say it: no scheme ("https://", "mailto:", "tel:"), no "www.", no
    trailing slash. Every output labels the same URL the same way."""
    for prefix in ("https://", "http://", "mailto:", "tel:"):
        if url.startswith(prefix):
            url = url[len(prefix):]
            break
    url = url.removeprefix("www.")
    return url.removesuffix("/")
