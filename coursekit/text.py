"""Markdown → sanitized HTML for the web and print targets, and → plain runs for slides."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the YAML is not rendered: authors write markdown; nh3 is the second fence.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h3", "h4", "blockquote", "br", "code",
         "table", "thead", "tbody", "tr", "th", "td"}


@lru_cache(maxsize=4096)
def to_html(markdown: str) -> str:
    """Markdown → HTML safe to put in a page (links limited to http(s), mailto and tel)."""
    html = _MD.render(markdown)
    return nh3.clean(html, tags=_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto", "tel"},
                     link_rel="noopener noreferrer").strip()


@lru_cache(maxsize=4096)
def to_inline_html(markdown: str) -> str:
    """Markdown for one line (no surrounding paragraph) → safe HTML."""
    html = _MD.renderInline(markdown)
    return nh3.clean(html, tags={"strong", "em", "code", "a", "br"}, attributes={"a": {"href"}},
                     url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer").strip()


@dataclass
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False


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


def to_blocks(markdown: str) -> list[Block]:
    """Markdown → paragraphs and list items made of styled runs (for PPTX and plain text)."""
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
            for child in token.children or []:
                if child.type == "strong_open":
                    bold = True
                elif child.type == "strong_close":
                    bold = False
                elif child.type == "em_open":
                    italic = True
                elif child.type == "em_close":
                    italic = False
                elif child.type in ("text", "code_inline"):
                    block.runs.append(Run(child.content, bold, italic))
                elif child.type in ("softbreak", "hardbreak"):
                    block.runs.append(Run(" ", bold, italic))
            if block.runs:
                blocks.append(block)
    return blocks


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
