"""The wording check: blaming, shaming and scare phrases that learner text must not contain."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import yaml

from coursekit.model import Wording, WordingRule

# A negation within a few words before the phrase ("it is not your fault", "never to blame").
_NEGATION = re.compile(
    r"\b(not|never|no|isn't|aren't|wasn't|won't|don't|doesn't|nobody's|none of|nothing)\b([^\w.!?]+\w+){0,4}[^\w.!?]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Compiled:
    rule: WordingRule
    regex: re.Pattern[str]


class WordingChecker:
    """Finds unsafe phrases in text, honouring negation where a rule allows it."""

    def __init__(self, rules: list[WordingRule]) -> None:
        self.rules = [_Compiled(rule, re.compile(rf"\b(?:{rule.pattern})\b", re.IGNORECASE)) for rule in rules]

    @classmethod
    def from_course(cls, wording: Wording) -> WordingChecker:
        """The built-in rules, minus the course's `allow`, plus its `extra`."""
        return cls([rule for rule in builtin_rules() if rule.pattern not in wording.allow] + list(wording.extra))

    def check(self, text: str) -> list[tuple[int, str]]:
        """(offset, message) for each unsafe phrase found in `text`."""
        found = []
        for compiled in self.rules:
            for match in compiled.regex.finditer(text):
                if compiled.rule.unless_negated and _NEGATION.search(text[max(0, match.start() - 60):match.start()]):
                    continue
                found.append((match.start(), f"unsafe wording '{match.group(0)}': {compiled.rule.reason}"))
        return found


def builtin_rules() -> list[WordingRule]:
    """The rules shipped with coursekit (coursekit/wording.yaml)."""
    text = resources.files("coursekit").joinpath("wording.yaml").read_text("utf-8")
    return [WordingRule.model_validate(item) for item in yaml.safe_load(text)]
