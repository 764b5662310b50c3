"""The foundation: loader, validator, error messages, CLI exit codes, coverage."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invalid_cases import CASES, make_case
from pydantic import ValidationError

from coursekit import model as m
from coursekit.load import MAX_FILE_BYTES, load_yaml
from coursekit.questions import TYPES
from coursekit.validate import compute_coverage, parse_source_sections, validate_course

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coursekit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


# --- the fixture course -------------------------------------------------------------------


def test_fixture_course_is_valid_and_fully_covered(phishing_root: Path) -> None:
    result = validate_course(phishing_root, strict=True)
    assert result.errors == []
    course = result.course
    assert course is not None
    assert {type(q).__name__ for quiz in course.quizzes.values() for q in quiz.questions} == {
        "SingleQuestion", "MultipleQuestion", "TrueFalseQuestion", "OrderQuestion", "MatchQuestion", "ScaleQuestion"}
    endings = [n for n in course.scenarios["odd-email"].nodes.values() if isinstance(n, m.EndingNode)]
    assert len(endings) >= 2
    for row in result.coverage:
        assert all(row.taught.values()) and all(row.assessed.values()), row.advice.id


def test_models_are_frozen_and_forbid_unknown_fields() -> None:
    option = m.Option(text="a", feedback="b")
    with pytest.raises(ValidationError):
        option.text = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        m.Option.model_validate({"text": "a", "feedback": "b", "colour": "red"})


def test_source_sections_are_parsed_with_lines() -> None:
    sections = parse_source_sections("# Title\n\n## First {#one}\nbody\n\n### Second bit {#two}\nmore\n")
    assert list(sections) == ["one", "two"]
    assert sections["one"].line == 3 and sections["one"].text == "body"
    assert sections["two"].title == "Second bit"


def test_coverage_reports_untaught_points_as_warnings_and_strict_errors(phishing_root: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "course"
    shutil.copytree(phishing_root, root)
    course_yaml = root / "course" / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace(
        "advice:\n", "advice:\n  - id: orphan-point\n    text: Nobody teaches this.\n    cite: [src#what]\n"))
    relaxed = validate_course(root)
    assert relaxed.errors == [] and relaxed.course is not None
    messages = [str(w) for w in relaxed.warnings]
    assert "course/course.yaml:16: warning: advice point 'orphan-point' is not taught to 'students': add it to a " \
           "page's or a scenario choice's 'teaches'" in messages
    assert any("orphan-point' is not assessed for 'staff'" in w for w in messages)
    strict = validate_course(root, strict=True)
    assert strict.course is None
    assert len(strict.errors) == 4  # not taught + not assessed, for each of two audiences
    row = next(r for r in compute_coverage(relaxed.course) if r.advice.id == "orphan-point")
    assert row.taught == {"students": [], "staff": []}


# --- invalid inputs: exact messages ---------------------------------------------------------


def test_there_are_at_least_twenty_invalid_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_case_reports_exact_errors(case: Path, tmp_path: Path) -> None:
    root, expected = make_case(case, tmp_path)
    assert expected, f"{case.name} has no expected errors"
    result = validate_course(root)
    assert [str(e) for e in result.errors] == expected
    assert result.course is None


def test_cli_reports_every_error_at_once_with_exit_2(tmp_path: Path) -> None:
    root, expected = make_case(next(c for c in CASES if c.stem == "several-errors"), tmp_path)
    proc = run_cli("validate", "--course", str(root))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[:-1] == expected
    assert lines[-1].startswith("3 errors")


def test_cli_build_refuses_invalid_course_and_writes_nothing(tmp_path: Path) -> None:
    root, _ = make_case(next(c for c in CASES if c.stem == "typo-field"), tmp_path)
    proc = run_cli("build", "--course", str(root), "--target", "coverage")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (root / "outputs").exists()


def test_cli_usage_errors_exit_2_without_traceback(phishing_root: Path, tmp_path: Path) -> None:
    for args in (["build", "--course", str(phishing_root), "--target", "nope", "--out", str(tmp_path)],
                 ["build", "--course", str(phishing_root), "--audience", "aliens", "--out", str(tmp_path)],
                 ["validate", "--course", str(tmp_path / "missing")],
                 ["validate", "--bogus-flag"]):
        proc = run_cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_cli_validate_and_coverage_succeed_on_fixture(phishing_root: Path) -> None:
    proc = run_cli("validate", "--course", str(phishing_root), "--strict")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: Spotting phishing 0.1.0: 2 modules, 5 pages, 1 scenarios, 2 quizzes, 8 questions")
    proc = run_cli("coverage", "--course", str(phishing_root), "--strict", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["report-it"]["assessed"]["staff"] == ["quiz final/steps", "quiz final/who"]
    assert "coverage: students 5/5 taught, 5/5 assessed; staff 5/5 taught, 5/5 assessed" in proc.stderr


def test_every_command_has_help() -> None:
    for command in ([], ["validate"], ["build"], ["coverage"], ["schema"], ["targets"]):
        proc = run_cli(*command, "--help")
        assert proc.returncode == 0 and "Usage:" in proc.stdout, command


def test_schema_command_writes_json_schemas(tmp_path: Path) -> None:
    proc = run_cli("schema", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    quiz = json.loads((tmp_path / "quiz.schema.json").read_text())
    assert quiz["additionalProperties"] is False
    question_refs = json.dumps(quiz["$defs"])
    for kind in TYPES:
        assert f'"const": "{kind}"' in question_refs
    scenario = json.loads((tmp_path / "scenario.schema.json").read_text())
    assert "from" in scenario["$defs"]["Message"]["properties"]  # the YAML key, not the Python name
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "course.schema.json", "leaflet.schema.json", "plan.schema.json", "quiz.schema.json", "scenario.schema.json"]


# --- the loader refuses tricks quickly -------------------------------------------------------


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "course.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    doc, errors = load_yaml(_write(tmp_path, bomb), tmp_path)
    assert doc is None
    assert "anchors/aliases" in errors[0].message


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    doc, errors = load_yaml(_write(tmp_path, "a: " + "x" * (MAX_FILE_BYTES + 1)), tmp_path)
    assert doc is None and "must be under" in errors[0].message


def test_deep_nesting_and_binary_are_refused(tmp_path: Path) -> None:
    doc, errors = load_yaml(_write(tmp_path, "a: " + "[" * 5000 + "]" * 5000), tmp_path)
    assert doc is None and errors
    doc, errors = load_yaml(_write(tmp_path, b"a: \xff\xfe"), tmp_path)
    assert doc is None and "UTF-8" in errors[0].message


def test_loader_keeps_line_of_every_node(tmp_path: Path) -> None:
    doc, errors = load_yaml(_write(tmp_path, "a:\n  b:\n    - x\n    - y: 1\n"), tmp_path)
    assert not errors and doc is not None
    assert doc.line(("a", "b", 1, "y")) == 4
    assert doc.line(("a", "b", 0)) == 3
    assert doc.line(("a", "missing", "deeper")) == 1


# --- property-based: malformed input never crashes ------------------------------------------

yaml_text = st.text(alphabet=st.sampled_from(list("ab:-[]{}!&*#'\"|> \n\t\\%@`,?0-9")), max_size=200)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=yaml_text)
def test_malformed_yaml_never_raises(text: str, tmp_path: Path) -> None:
    doc, errors = load_yaml(_write(tmp_path, text), tmp_path)
    assert doc is not None or errors
    for error in errors:
        assert error.path == "course.yaml" and error.line >= 1 and error.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=json_like, target=st.sampled_from(["course/course.yaml", "scenarios/odd-email.yaml",
                                               "quizzes/final.yaml", "course/lesson.yaml"]))
def test_malformed_structures_give_clean_errors(data: object, target: str, tmp_path_factory: pytest.TempPathFactory,
                                                phishing_root: Path) -> None:
    import shutil

    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(phishing_root, root, dirs_exist_ok=True)
    (root / target).write_text(yaml.safe_dump(data), "utf-8")
    result = validate_course(root)
    assert result.course is None and result.errors
    for error in result.errors:
        assert error.line >= 1 and error.message and ":" not in error.path[:1]


@settings(max_examples=40, deadline=None)
@given(field=st.sampled_from(["prompt", "feedback", "text", "next", "quality", "pass_mark", "type", "answer"]),
       value=json_like)
def test_wrong_values_in_known_fields_give_clean_errors(field: str, value: object, tmp_path_factory: pytest.TempPathFactory,
                                                        phishing_root: Path) -> None:
    import shutil

    root = tmp_path_factory.mktemp("fields")
    shutil.copytree(phishing_root, root, dirs_exist_ok=True)
    quiz = yaml.safe_load((root / "quizzes/final.yaml").read_text())
    quiz["questions"][0][field] = value
    (root / "quizzes/final.yaml").write_text(yaml.safe_dump(quiz), "utf-8")
    result = validate_course(root)  # must not raise, whatever the value
    for error in result.errors:
        assert error.line >= 1 and error.message


# --- registry and generality ----------------------------------------------------------------


def test_target_registry_has_no_duplicate_names() -> None:
    source = (REPO / "coursekit" / "targets" / "__init__.py").read_text()
    registry = next(node for node in ast.walk(ast.parse(source))
                    if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "TARGETS")
    assert isinstance(registry.value, ast.Dict)
    keys = [key.value for key in registry.value.keys if isinstance(key, ast.Constant)]
    assert len(keys) == len(set(keys)), keys
    from coursekit.targets import load_target

    for name in keys:
        assert load_target(name).name == name


def test_engine_knows_nothing_of_the_topic() -> None:
    words = ("sextortion", "webcam", "childline", "ceop", "blackmail", "nude", "revenge porn", "phishing")
    for path in (REPO / "coursekit").rglob("*"):
        if path.is_file() and path.suffix in {".py", ".j2", ".html", ".js", ".css", ".yaml"}:
            text = path.read_text("utf-8").lower()
            found = [w for w in words if w in text]
            assert not found, f"{path.relative_to(REPO)} mentions {found}: the engine must stay topic-free"


def test_validate_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from coursekit.cli import main\n"
            "try:\n    main(['validate', '--course', sys.argv[1]])\nexcept SystemExit: pass\n"
            "heavy = [m for m in ('weasyprint', 'pptx', 'playwright', 'openpyxl', 'cairosvg', 'lxml') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    proc = subprocess.run([sys.executable, "-c", code, str(REPO / "tests" / "fixtures" / "phishing")],
                          capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_readme_examples_are_the_fixture_files() -> None:
    import re

    readme = (REPO / "README.md").read_text("utf-8")
    blocks = re.findall(r"<!-- example: (\S+) -->\n```\w*\n(.*?)```\n", readme, re.DOTALL)
    assert len(blocks) >= 6
    for relative, text in blocks:
        assert text == (REPO / relative).read_text("utf-8"), f"README example {relative} is out of date"


# --- README promises about the wording check and unused files, through validation ------------------------


def test_wording_rule_allows_only_negated_blame(tmp_path: Path) -> None:
    from conftest import patched_course

    page = "        body: Go to the website yourself instead of clicking."
    negated = patched_course(tmp_path / "a", {"course/course.yaml": [
        (page, "        body: Go to the website yourself. If you clicked, it is not your fault.")]})
    assert validate_course(negated).errors == []
    blaming = patched_course(tmp_path / "b", {"course/course.yaml": [
        (page, "        body: Go to the website yourself. If you clicked, it was your own fault.")]})
    assert [str(e) for e in validate_course(blaming).errors] == [
        "course/course.yaml:97: unsafe wording 'your own fault': assigns blame; only say it in the negative "
        "(\"it is never your fault\")"]


def test_wording_allow_and_extra(tmp_path: Path) -> None:
    from conftest import patched_course

    page = "        body: Go to the website yourself instead of clicking."
    blaming = "        body: Go to the website yourself. Only butterfingers click; it was your fault."
    allowed = patched_course(tmp_path / "a", {"course/course.yaml": [
        (page, blaming),
        ("assessment:\n", "wording:\n  allow: [\"(your|their|his|her|my|its) (own )?fault\"]\nassessment:\n")]})
    assert validate_course(allowed).errors == []
    extra = patched_course(tmp_path / "b", {"course/course.yaml": [
        (page, blaming),
        ("assessment:\n", "wording:\n  allow: [\"(your|their|his|her|my|its) (own )?fault\"]\n  extra:\n"
                          "    - {pattern: butterfingers, reason: calls people names}\nassessment:\n")]})
    assert [str(e) for e in validate_course(extra).errors] == [
        "course/course.yaml:97: unsafe wording 'butterfingers': calls people names"]


def test_unused_scenario_is_a_warning_and_strict_refuses_it(tmp_path: Path) -> None:
    from conftest import patched_course

    root = patched_course(tmp_path, {})
    spare = (root / "scenarios" / "odd-email.yaml").read_text("utf-8").replace("id: odd-email", "id: spare", 1)
    (root / "scenarios" / "spare.yaml").write_text(spare, "utf-8")
    result = validate_course(root)
    assert result.errors == [] and result.course is not None
    message = ("scenarios/spare.yaml:1: warning: scenario 'spare' is not used by any module: add 'scenario:'/'quiz:' "
               "to a module or delete the file")
    assert [str(w) for w in result.warnings] == [message]
    strict = validate_course(root, strict=True)
    assert strict.course is None
    assert [str(e) for e in strict.errors] == [message.replace("warning: ", "")]
    proc = run_cli("build", "--course", str(root), "--strict", "--target", "coverage")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (root / "outputs").exists()
