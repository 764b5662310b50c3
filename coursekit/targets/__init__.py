"""Output targets. A target gets a validated Course (never YAML) and writes files into a folder."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

from coursekit.model import Course


class Target(ABC):
    """One output format. Subclasses set `name`, `description` and implement `build`."""

    name: str = ""
    description: str = ""

    @abstractmethod
    def build(self, course: Course, out: Path, audiences: Sequence[str]) -> list[Path]:
        """Write this target's files for `audiences` into `out`; return the paths written."""


# name -> "module:Class". Imported lazily so `coursekit validate` never loads WeasyPrint or python-pptx.
TARGETS: dict[str, str] = {
    "coverage": "coursekit.targets.coverage:CoverageTarget",
    "web": "coursekit.targets.web:WebTarget",
    "scorm12": "coursekit.targets.scorm:Scorm12Target",
    "scorm2004": "coursekit.targets.scorm:Scorm2004Target",
    "print": "coursekit.targets.print:PrintTarget",
    "slides": "coursekit.targets.slides:SlidesTarget",
    "quizbank": "coursekit.targets.quizbank:QuizbankTarget",
}


def load_target(name: str) -> Target:
    """Import and instantiate the target registered as `name`."""
    module_name, class_name = TARGETS[name].split(":")
    target = getattr(importlib.import_module(module_name), class_name)()
    assert target.name == name, f"target {TARGETS[name]} calls itself {target.name!r}, registered as {name!r}"
    return target
