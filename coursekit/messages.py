"""Engine strings per language: YAML message catalogues (coursekit/messages/<language>.yaml), dates and numbers."""

from __future__ import annotations

import datetime as _dt
import string
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from markupsafe import Markup, escape

if TYPE_CHECKING:  # validate imports this module: Jinja and Babel load only when an output is written
    from jinja2 import Environment

# Course `language:` -> catalogue. Anything else is a validate error (coursekit.validate).
LANGUAGES: dict[str, str] = {"en": "en-GB", "en-GB": "en-GB", "cy": "cy"}
CATALOGUES: tuple[str, ...] = ("en-GB", "cy")
_BABEL_LOCALE = {"en-GB": "en_GB", "cy": "cy_GB"}


def catalogue_for(language: str) -> str:
    """The catalogue name for a course's `language:` tag (KeyError for an unsupported one)."""
    return LANGUAGES[language]


def load_catalogue(name: str) -> dict[str, str]:
    """The raw key -> text mapping of one shipped catalogue."""
    text = resources.files("coursekit").joinpath("messages", f"{name}.yaml").read_text("utf-8")
    keys = [key.value for key, _ in getattr(yaml.compose(text), "value", [])]
    if len(keys) != len(set(keys)):  # YAML would keep the last one silently
        twice = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"coursekit/messages/{name}.yaml has these keys twice: {', '.join(twice)}")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"coursekit/messages/{name}.yaml must be a flat mapping of key: \"text\"")
    return data


def placeholders(text: str) -> set[str]:
    """The {names} a catalogue text expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Messages:
    """One language's engine strings: `messages(key, **values)` fills str.format placeholders."""

    def __init__(self, language: str, table: dict[str, str]) -> None:
        self.language = language
        self.table = table

    def __call__(self, key: str, **values: Any) -> str:
        """The text for `key` with its placeholders filled (KeyError if the key is not in the catalogue)."""
        text = self.table[key]
        return text.format(**values) if values else text

    def with_prefix(self, prefix: str) -> dict[str, str]:
        """Every raw text whose key starts with `prefix`, keyed without it (for the player's JSON block)."""
        return {key[len(prefix):]: text for key, text in sorted(self.table.items()) if key.startswith(prefix)}

    def date(self, day: _dt.date) -> str:
        """A date written out in this language ("5 March 2026", "5 Mawrth 2026")."""
        return format_date(day, self.language)

    def number(self, value: float) -> str:
        """A number written for this language."""
        return format_number(value, self.language)


@cache
def messages(language: str) -> Messages:
    """The catalogue for a course's `language:` ("en", "en-GB" -> en-GB; "cy" -> cy)."""
    name = catalogue_for(language)
    return Messages(name, load_catalogue(name))


def format_date(day: _dt.date, language: str) -> str:
    """A date as day, month name and year in the course's language."""
    from babel.dates import format_date as _babel_date

    return str(_babel_date(day, "d MMMM y", locale=_BABEL_LOCALE[catalogue_for(language)]))


def format_number(value: float, language: str, decimals: int | None = None) -> str:
    """A number with the language's decimal and grouping marks: `decimals` places, else at most one."""
    pattern = "#,##0.#" if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    from babel.numbers import format_decimal as _babel_decimal

    return str(_babel_decimal(value, format=pattern, locale=_BABEL_LOCALE[catalogue_for(language)]))


def html_messages(language: str) -> Callable[..., Markup]:
    """`_` for HTML templates: the catalogue text escaped, then the values escaped unless they are Markup."""
    table = messages(language)

    def translate(key: str, **values: Any) -> Markup:
        return escape(table(key)).format(**values)

    return translate


def and_list(names: list[str], language: str) -> Markup:
    """Names joined as "A, B and C" in the language (escaped for HTML)."""
    if len(names) < 2:
        return escape("".join(names))
    return html_messages(language)("common.and", first=", ".join(names[:-1]), last=names[-1])


def jinja_i18n(env: Environment, language: str) -> Environment:
    """Give a Jinja environment `_`, `and_list`, the `date` and `number` filters for this course language."""
    env.globals.update(_=html_messages(language), language=catalogue_for(language), engine=engine_name(),
                       and_list=lambda names: and_list(list(names), language))
    env.filters.update(date=lambda day: format_date(day, language), number=lambda n: format_number(n, language))
    return env


def engine_name() -> str:
    """"coursekit X.Y.Z": what every output names as its generator."""
    from coursekit import __version__

    return f"coursekit {__version__}"
