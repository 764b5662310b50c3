"""`coursekit new`: write a small, complete, commented course from the templates shipped in the package."""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

from coursekit.errors import UserError

TEMPLATE = Path(__file__).resolve().parent / "templates" / "new"
DEFAULT_TOPIC = "My first course"
# Ignored by git in a new course: the outputs and the incremental-build cache are rebuilt from the YAML.
GITIGNORE = "outputs/\n.coursekit-cache/\nschemas/\n"


def course_id(topic: str) -> str:
    """A course id (lower-case letters, digits and '-', at most 48) made from the topic."""
    slug = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:48].strip("-")
    return slug or "my-course"


def template_files() -> list[Path]:
    """The template files, relative to the template folder, sorted."""
    return sorted(p.relative_to(TEMPLATE) for p in TEMPLATE.rglob("*") if p.is_file())


def render(text: str, topic: str, today: _dt.date) -> str:
    """Fill in a template's placeholders (plain replacement: the files' `{#anchor}` are not Jinja)."""
    one_line = " ".join(topic.split())
    return (text.replace("__TOPIC_YAML__", json.dumps(one_line, ensure_ascii=False))
            .replace("__TOPIC_MD__", one_line.replace("*", r"\*").replace("_", r"\_"))
            .replace("__ID__", course_id(one_line))
            .replace("__DATE__", today.isoformat()))


def new_course(dest: Path, topic: str = DEFAULT_TOPIC, today: _dt.date | None = None) -> list[Path]:
    """Write the starter course into `dest` (which must not exist or be empty); return the files written."""
    if not topic.strip():
        raise UserError("--topic is empty: give the course a title, e.g. --topic \"Staying safe online\"")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserError(f"{dest} already exists and is not empty: choose a new folder name")
    today = today or _dt.date.today()
    written = []
    for relative in template_files():
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render((TEMPLATE / relative).read_text("utf-8"), topic, today), "utf-8")
        written.append(target)
    gitignore = dest / ".gitignore"
    gitignore.write_text(GITIGNORE, "utf-8")
    return [*written, gitignore]
