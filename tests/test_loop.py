"""The author's loop, issue 15: validate's reading-age cache, print fitting, progress rows, cache pruning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import patched_course

HARD = ("Notwithstanding institutional considerations, organisational accountability necessitates "
        "comprehensive investigation of unauthorised authentication circumvention methodologies.")
PAGE = "        body: Look at the real address, not just the name."
REPO = Path(__file__).resolve().parent.parent
# Validate in a fresh process, then say whether textstat (the slow measuring) was imported.
VALIDATE = """
import sys
from pathlib import Path
from coursekit.validate import validate_course
result = validate_course(Path(sys.argv[1]))
for warning in result.warnings:
    print(warning)
print("measured" if "textstat" in sys.modules else "from the cache")
"""


def _validate(root: Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", VALIDATE, str(root)], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    return proc.stdout.splitlines()


def test_reading_ages_come_from_the_cache_once_measured_and_a_damaged_cache_is_measured_again(tmp_path: Path) -> None:
    root = patched_course(tmp_path, {"course/course.yaml": [(PAGE, f"        body: {HARD}")]})
    warning = ("course/course.yaml:87: warning: reading age 50.7 of the page 'sender' is above the students "
               "audience's reading_age of 12 (textstat 0.7.8: mean of the Flesch-Kincaid, Coleman-Liau and ARI "
               "grades, plus 5; English only): use shorter sentences and shorter, everyday words")
    # No outputs/ folder yet: nothing is written into the course folder.
    assert _validate(root) == [warning, "measured"]
    assert not (root / "outputs").exists()
    (root / "outputs").mkdir()
    assert _validate(root) == [warning, "measured"]
    ages = root / "outputs" / ".cache" / "reading-age.json"
    assert len(json.loads(ages.read_text("utf-8"))["ages"]) >= 5
    assert _validate(root) == [warning, "from the cache"]
    for damage in ("{not json", json.dumps({"stamp": "another textstat", "ages": {}}), ""):
        ages.write_text(damage, "utf-8")
        assert _validate(root) == [warning, "measured"], damage
    # An edit measures the edited text again (a cached figure is never taken for another text).
    course_yaml = root / "course" / "course.yaml"
    course_yaml.write_text(course_yaml.read_text("utf-8").replace(HARD, "Look at the real address."), "utf-8")
    assert _validate(root) == ["measured"]
    assert _validate(root) == ["from the cache"]


# --- print fitting: the layout chosen for each fixed-size document, and how many whole layouts it took ------

def test_fixed_size_printables_get_the_same_layout_with_fewer_whole_layouts() -> None:
    """The leaflets and posters of the real course and the fixtures: the density and the help's placement that
    fit (those of the layout-every-try fit this replaced: same PDFs), and the whole layouts it took."""
    from coursekit.targets.print import Renderer, audience_documents, fit_document
    from coursekit.validate import load_course
    from coursekit.view import audience_view

    chosen: dict[str, tuple[str, dict[str, int], int]] = {}
    for name, root in (("real", REPO), ("phishing", REPO / "tests" / "fixtures" / "phishing")):
        course = load_course(root)
        renderer = Renderer()
        whole = [0]
        layout = renderer.layout

        def counted(html: str, layout=layout, whole=whole) -> object:  # type: ignore[no-untyped-def]
            whole[0] += ".panel:not(" not in html  # a panel measured alone is not a whole layout
            return layout(html)

        renderer.layout = counted  # type: ignore[method-assign]
        try:
            for audience in course.audiences:
                view = audience_view(course, audience)
                for document in audience_documents(view):
                    if document.pages:
                        before = whole[0]
                        fitted = fit_document(renderer, view, document)
                        chosen[f"{name} {audience} {document.name}"] = (fitted.density, fitted.help_slots,
                                                                        whole[0] - before)
        finally:
            renderer.close()
    assert chosen == {
        # The real course's leaflets fit when compact, with the help (the write-in local help first) over the
        # back panel and the inside right one (students) or all three (community); its posters only at the densest layout. The leaflets took
        # 5 and 6 whole layouts before: now the roomy one, found too long panel by panel, and the chosen one.
        "real students leaflet": ("compact", {"back": 4, "inside-right": 2, "flap": 0}, 2),
        "real students poster": ("compact minimal", {}, 3),
        "real community leaflet": ("compact", {"back": 4, "inside-right": 2, "flap": 2}, 2),
        "real community poster": ("compact minimal", {}, 3),
        # The fixtures fit as they start: one layout each.
        "phishing students leaflet": ("", {"back": 2, "inside-right": 0, "flap": 0}, 1),
        "phishing students poster": ("", {}, 1),
        "phishing staff leaflet": ("", {"back": 2, "inside-right": 0, "flap": 0}, 1),
        "phishing staff poster": ("", {}, 1),
    }
