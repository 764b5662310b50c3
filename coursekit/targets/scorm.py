"""Targets `scorm12` and `scorm2004`: the learner module as one SCO per audience, zipped with its manifest."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from lxml import etree

from coursekit.errors import BuildError
from coursekit.messages import engine_name, format_date, messages
from coursekit.model import DecisionNode
from coursekit.targets import BuildContext, Target
from coursekit.view import AudienceView, audience_view
from coursekit.write import zip_folder

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "scorm"
INTERACTION_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")
LAUNCH = "index.html"


@dataclass(frozen=True)
class ScormVersion:
    """What differs between SCORM 1.2 and 2004 4th Edition packages."""

    tracking: str           # the `tracking` value passed to the player
    label: str
    template: str
    state_limit: int        # cmi.suspend_data SPM
    control_files: str      # folder (under templates/scorm) of the XSDs copied next to the manifest


SCORM12 = ScormVersion("scorm12", "SCORM 1.2", "imsmanifest12.xml.j2", 4096, "xsd12")
SCORM2004 = ScormVersion("scorm2004", "SCORM 2004 4th Edition", "imsmanifest2004.xml.j2", 64000, "xsd2004")


def tracking_identifier(value: str) -> str:
    """An objective id as tracking.js writes it (and the manifest lists it): [A-Za-z0-9_], ≤64."""
    return re.sub(r"[^A-Za-z0-9_]", "_", value)[:64]


def interaction_ids(view: AudienceView) -> list[str]:
    """Every interaction id the player can record for this audience, in course order (the web target's ids)."""
    from coursekit.ids import interaction_id

    ids = [interaction_id("q", quiz.id, question.id) for quiz in view.quizzes() for question in quiz.questions]
    for scenario in {scenario.id: scenario for scenario in view.scenarios()}.values():
        ids += [interaction_id("s", scenario.id, node_id) for node_id, node in scenario.nodes.items()
                if isinstance(node, DecisionNode)]
    return ids


def check_interaction_ids(view: AudienceView) -> None:
    """Refuse ids the SCORM data model (or a strict LMS) would reject, and ids shortened into duplicates."""
    ids = interaction_ids(view)
    where = f"course {view.course.id!r}, audience {view.name!r}"
    for value in ids:
        if not INTERACTION_ID.match(value):
            raise BuildError(f"{where}: interaction id {value!r} is not [A-Za-z0-9_]{{1,64}}")
    duplicates = sorted({value for value in ids if ids.count(value) > 1})
    if duplicates:
        raise BuildError(f"{where}: interaction ids {', '.join(duplicates)} are not unique (ids are "
                         "q_<quiz>_<question> and s_<scenario>_<node> with '-' as '_', at most 64 characters): "
                         "rename the quiz, question, scenario or node ids")


def check_state_length(view: AudienceView, version: ScormVersion) -> int:
    """The worst-case suspend_data length; a BuildError if it cannot fit this SCORM version."""
    from coursekit.targets.web import worst_case_state_length

    length = worst_case_state_length(view)
    if length > version.state_limit:
        raise BuildError(
            f"{version.label}: course {view.course.id!r}, audience {view.name!r}: the learner's saved state can "
            f"reach {length} characters, over the {version.state_limit}-character cmi.suspend_data limit. "
            "Split the course into smaller modules, or use fewer questions, pages or scenario steps"
            + (" (or build scorm2004, whose limit is 64000)" if version is SCORM12 else "") + ".")
    return length


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       keep_trailing_newline=True)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def manifest_xml(view: AudienceView, version: ScormVersion, files: Sequence[str]) -> str:
    """The imsmanifest.xml for one audience's SCO listing `files` (paths relative to the package root)."""
    course = view.course
    identifier = f"coursekit-{course.id}-{view.name}"
    say = messages(course.language)
    parts = [course.description or course.subtitle, say("scorm.for", audience=view.audience.label),
             say("scorm.version_checked", version=course.version,
                 date=format_date(course.facts_checked, course.language))]
    description = " ".join(_sentence(part) for part in parts if part.strip())
    return _environment().get_template(version.template).render(
        identifier=identifier,
        organization=f"{identifier}-org",
        item=f"{identifier}-item",
        resource=f"{identifier}-sco",
        version=course.version,
        language=course.language,
        title=course.title,
        item_title=f"{course.title}: {view.audience.label}",
        description=description,
        pass_mark=view.pass_mark,
        scaled_pass_mark=f"{view.pass_mark / 100:.2f}",
        objectives=[tracking_identifier(objective.id) for objective in view.objectives],
        launch=LAUNCH,
        files=sorted(files),
        engine=engine_name(),
    )


def control_files(version: ScormVersion) -> list[Path]:
    """The schema files shipped at the package root for this version (paths in coursekit's templates)."""
    root = TEMPLATES / version.control_files
    return sorted(path for path in root.rglob("*") if path.is_file() and path.suffix in (".xsd", ".dtd"))


def package_files(folder: Path) -> list[str]:
    """Every file under `folder`, relative, with forward slashes, sorted."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def build_package(view: AudienceView, version: ScormVersion, folder: Path, archive: Path,
                  cache: Path | None = None) -> Path:
    """Render the module into the scratch `folder`, add the manifest (and control files), zip it to `archive`."""
    from coursekit.targets.web import render_module

    check_interaction_ids(view)
    check_state_length(view, version)
    render_module(view, folder, version.tracking, cache)
    if not (folder / LAUNCH).is_file():
        raise BuildError(f"{version.label}: the web module for audience {view.name!r} has no {LAUNCH}")
    files = package_files(folder)
    manifest = manifest_xml(view, version, files)
    try:
        etree.fromstring(manifest.encode("utf-8"), etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as error:  # a template bug, but say where
        raise RuntimeError(f"internal error: {version.label} manifest for {view.name!r} is not XML: {error}")
    (folder / "imsmanifest.xml").write_text(manifest, "utf-8", newline="\n")
    # The XML control documents (ADL's XSDs, unmodified) go next to the manifest, as ADL's packages do.
    for schema in control_files(version):
        target = folder / schema.relative_to(TEMPLATES / version.control_files)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(schema, target)
    return zip_folder(folder, archive)


class _ScormTarget(Target):
    """Shared build loop: one zip per audience."""

    version: ScormVersion = SCORM12

    def build(self, ctx: BuildContext) -> None:
        """Write <course-id>-<audience>.zip for each audience."""
        from coursekit.cache import course_files, lines_of, view_inputs

        course = ctx.course
        for audience in ctx.audiences:
            view = audience_view(course, audience)
            inputs = view_inputs(view), course_files(course), lines_of(ctx.sources)
            with ctx.document(f"{course.id}-{audience}", *inputs) as doc:
                if doc.hit:
                    continue
                # The unzipped module is scratch, not an output: only the zip is recorded.
                with tempfile.TemporaryDirectory(prefix="coursekit-scorm-") as scratch:
                    build_package(view, self.version, Path(scratch), ctx.path(f"{course.id}-{audience}.zip"),
                                  ctx.cache)


class Scorm12Target(_ScormTarget):
    """SCORM 1.2 package per audience."""

    name = "scorm12"
    description = "SCORM 1.2 package per audience (zip)"
    version = SCORM12


class Scorm2004Target(_ScormTarget):
    """SCORM 2004 4th Edition package per audience."""

    name = "scorm2004"
    description = "SCORM 2004 4th Edition package per audience (zip)"
    version = SCORM2004
