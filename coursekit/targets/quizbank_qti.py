"""QTI 1.2 for Canvas classic quizzes (and other LMSs that import QTI 1.2): one assessment per quiz.

The zip holds an IMS Content Packaging 1.1 manifest, and per quiz `<ident>/<ident>.xml` (the
`<questestinterop>` assessment, in the shape Canvas itself exports: `qtimetadatafield`s `question_type`
and `points_possible`, `response_lid`, `resprocessing` setting SCORE, per-answer `itemfeedback`) plus
`<ident>/assessment_meta.xml` (Canvas's quiz settings: title, description, shuffle, quiz type).
Ordering questions are matching questions with positions as answers.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import assert_never

from lxml import etree

from coursekit import model as m
from coursekit.messages import engine_name
from coursekit.order import presented
from coursekit.questions import BankQuestion
from coursekit.targets.quizbank import (
    LeftOutQuestion,
    bank_questions,
    bank_quizzes,
    edition_line,
    help_markdown,
    help_title,
    in_course_language,
    match_answers,
    match_rows,
)
from coursekit.text import one_line, to_html, to_inline_html
from coursekit.view import AudienceView
from coursekit.write import zip_folder

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_RESOURCE_TYPE = "imsqti_xmlv1p2"
META_RESOURCE_TYPE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{QTI_NS}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _mattext(parent: etree._Element, html: str | None = None, *, plain: str | None = None) -> etree._Element:
    material = _el(parent, "material")
    if html is not None:
        return _el(material, "mattext", html, texttype="text/html")
    return _el(material, "mattext", plain or "", texttype="text/plain")


def _metadata(item: etree._Element, fields: list[tuple[str, str]]) -> None:
    meta = _el(_el(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields:
        field = _el(meta, "qtimetadatafield")
        _el(field, "fieldlabel", label)
        _el(field, "fieldentry", entry)


def _feedback_condition(processing: etree._Element, ident: str, condition: etree._Element | None) -> None:
    respcondition = _el(processing, "respcondition", continue_="Yes")
    conditionvar = _el(respcondition, "conditionvar")
    conditionvar.append(condition if condition is not None else etree.Element(f"{{{QTI_NS}}}other"))
    _el(respcondition, "displayfeedback", feedbacktype="Response", linkrefid=ident)


def _varequal(respident: str, value: str) -> etree._Element:
    element = etree.Element(f"{{{QTI_NS}}}varequal", respident=respident)
    element.text = value
    return element


def _itemfeedback(item: etree._Element, ident: str, html: str) -> None:
    feedback = _el(item, "itemfeedback", ident=ident)
    _mattext(_el(feedback, "flow_mat"), html)


def item_ident(view: AudienceView, quiz: m.Quiz, question_id: str) -> str:
    """A package-wide item ident: course, audience, quiz and question (Canvas keys questions on it)."""
    return f"item-{view.course.id}-{view.name}-{quiz.id}-{question_id}"


def _choice_item(quiz: m.Quiz, question: m.SingleQuestion | m.MultipleQuestion | m.TrueFalseQuestion, ident: str,
                 presentation: etree._Element, processing: etree._Element) -> list[tuple[str, str]]:
    """Choices, per-choice feedback and all-or-nothing scoring as Canvas exports them; returns feedbacks.
    Options come in the course's one seeded order (Canvas shuffles again when the quiz says so)."""
    # (id suffix, html text, plain text, correct, feedback)
    choices: list[tuple[str, str | None, str | None, bool, str]]
    if isinstance(question, m.TrueFalseQuestion):
        choices = [("true", None, "True", question.answer, question.feedback_true),
                   ("false", None, "False", not question.answer, question.feedback_false)]
    else:
        choices = [(str(n), to_inline_html(o.text), None, o.correct, o.feedback)
                   for n, o in enumerate(question.options, 1)]
    shuffle = quiz.shuffle and not isinstance(question, m.TrueFalseQuestion)
    single = not isinstance(question, m.MultipleQuestion)
    cardinality = "Single" if single else "Multiple"
    lid = _el(presentation, "response_lid", ident="response1", rcardinality=cardinality)
    render = _el(lid, "render_choice", shuffle="Yes" if shuffle else "No")
    feedbacks = []
    answer_ids = [f"{ident}-{choice[0]}" for choice in choices]
    for answer_id, (_suffix, html, plain, _correct, feedback) in zip(answer_ids, choices):
        _mattext(_el(render, "response_label", ident=answer_id), html, plain=plain)
        _feedback_condition(processing, f"{answer_id}_fb", _varequal("response1", answer_id))
        feedbacks.append((f"{answer_id}_fb", to_inline_html(feedback)))
    scoring = _el(processing, "respcondition", continue_="No")
    conditionvar = _el(scoring, "conditionvar")
    if single:
        conditionvar.append(_varequal("response1", next(a for a, c in zip(answer_ids, choices) if c[3])))
    else:
        # Right only with every correct choice and no other, the model's rule for multiple answers.
        both = _el(conditionvar, "and")
        for answer_id, choice in zip(answer_ids, choices):
            target = both if choice[3] else _el(both, "not")
            target.append(_varequal("response1", answer_id))
    _el(scoring, "setvar", "100", action="Set", varname="SCORE")
    return feedbacks


def _matching_item(quiz: m.Quiz, question: m.OrderQuestion | m.MatchQuestion, ident: str,
                   presentation: etree._Element, processing: etree._Element) -> list[tuple[str, str]]:
    """A menu per prompt, points shared between prompts, a pair's feedback shown when matched wrongly."""
    rows = match_rows(question)
    answers = match_answers(question)
    match_ids = {answer: f"{ident}-m{n}" for n, answer in enumerate(answers, 1)}
    # The stems come in rows and the menus list answers: scramble whichever would give the key away
    # (an ordering question's stems are authored in order; a matching question's answers follow its stems).
    ordering = isinstance(question, m.OrderQuestion)
    row_order = presented(quiz.id, question.id, range(len(rows))) if ordering else list(range(len(rows)))
    answer_order = list(range(len(answers))) if ordering else presented(quiz.id, question.id, range(len(answers)))
    points = f"{100 / len(rows):.2f}"
    feedbacks = []
    for index in row_order:
        row = rows[index]
        answer_id = f"{ident}-{index + 1}"
        respident = f"response_{answer_id}"
        lid = _el(presentation, "response_lid", ident=respident)
        _mattext(lid, to_inline_html(row.left))
        render = _el(lid, "render_choice")
        for position in answer_order:
            label = _el(render, "response_label", ident=match_ids[answers[position]])
            _mattext(label, plain=one_line(answers[position]))
        scoring = _el(processing, "respcondition", continue_="Yes")
        _el(scoring, "conditionvar").append(_varequal(respident, match_ids[row.right]))
        _el(scoring, "setvar", points, action="Add", varname="SCORE")
        wrong = etree.Element(f"{{{QTI_NS}}}not")
        wrong.append(_varequal(respident, match_ids[row.right]))
        _feedback_condition(processing, f"{answer_id}_fb", wrong)
        feedbacks.append((f"{answer_id}_fb", to_inline_html(row.feedback)))
    # Overall feedback under the idents Canvas reads as its "correct" / "incorrect" comments.
    for fb_ident, text, right in (("correct_fb", question.feedback_correct, True),
                                  ("general_incorrect_fb", question.feedback_incorrect, False)):
        if not text:
            continue
        every = etree.Element(f"{{{QTI_NS}}}and")
        for number, row in enumerate(rows, 1):
            every.append(_varequal(f"response_{ident}-{number}", match_ids[row.right]))
        if not right:
            wrapped = etree.Element(f"{{{QTI_NS}}}not")
            wrapped.append(every)
            every = wrapped
        _feedback_condition(processing, fb_ident, every)
        feedbacks.append((fb_ident, to_html(text)))
    return feedbacks


def question_item(view: AudienceView, quiz: m.Quiz, question: BankQuestion,
                  section: etree._Element) -> None:
    """Append one question as a QTI 1.2 `<item>` in Canvas's shape."""
    ident = item_ident(view, quiz, question.id)
    item = _el(section, "item", ident=ident, title=question.id)
    presentation = etree.Element(f"{{{QTI_NS}}}presentation")
    processing = etree.Element(f"{{{QTI_NS}}}resprocessing")
    _el(_el(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
        vartype="Decimal")
    _mattext(presentation, to_html(question.prompt, breaks=True))
    feedbacks: list[tuple[str, str]] = []  # (ident, html) in the order they are written
    if question.explanation:
        _feedback_condition(processing, "general_fb", None)
        feedbacks.append(("general_fb", to_html(question.explanation)))
    match question:
        case m.SingleQuestion() | m.MultipleQuestion():
            canvas_type = ("multiple_choice_question" if isinstance(question, m.SingleQuestion)
                           else "multiple_answers_question")
            feedbacks += _choice_item(quiz, question, ident, presentation, processing)
        case m.TrueFalseQuestion():
            canvas_type = "true_false_question"
            feedbacks += _choice_item(quiz, question, ident, presentation, processing)
        case m.OrderQuestion() | m.MatchQuestion():
            canvas_type = "matching_question"
            feedbacks += _matching_item(quiz, question, ident, presentation, processing)
        case _:
            assert_never(question)
    overall = ("general_fb", "correct_fb", "general_incorrect_fb")
    answer_ids = [f.removesuffix("_fb") for f, _html in feedbacks if f not in overall]
    _metadata(item, [("question_type", canvas_type), ("points_possible", "1.0"),
                     ("original_answer_ids", ",".join(answer_ids))])
    item.append(presentation)
    item.append(processing)
    for feedback_ident, html in feedbacks:
        _itemfeedback(item, feedback_ident, html)


def _help_item(view: AudienceView, quiz: m.Quiz, section: etree._Element) -> None:
    item = _el(section, "item", ident=item_ident(view, quiz, "help"), title=help_title())
    _metadata(item, [("question_type", "text_only_question"), ("points_possible", "0.0"),
                     ("original_answer_ids", "")])
    _mattext(_el(item, "presentation"), to_html(help_markdown(view)))


def assessment_ident(view: AudienceView, quiz: m.Quiz) -> str:
    """The assessment's ident, also its folder in the zip."""
    return f"quiz-{view.course.id}-{view.name}-{quiz.id}"


@in_course_language
def assessment_xml(view: AudienceView, quiz: m.Quiz, left_out: list[LeftOutQuestion] | None = None) -> bytes:
    """One quiz as a QTI 1.2 `<questestinterop><assessment>`; questions QTI cannot carry go to `left_out`."""
    root = etree.Element(f"{{{QTI_NS}}}questestinterop", nsmap={None: QTI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd")
    assessment = _el(root, "assessment", ident=assessment_ident(view, quiz), title=quiz.title)
    section = _el(assessment, "section", ident="root_section")
    for question in bank_questions(quiz, "qti", left_out):
        question_item(view, quiz, question, section)
    _help_item(view, quiz, section)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@in_course_language
def assessment_meta_xml(view: AudienceView, quiz: m.Quiz) -> bytes:
    """Canvas's quiz settings for one assessment (title, description, shuffling, quiz type, points)."""
    root = etree.Element(f"{{{CANVAS_NS}}}quiz", nsmap={None: CANVAS_NS, "xsi": XSI_NS},
                         identifier=assessment_ident(view, quiz))
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{CANVAS_NS} https://canvas.instructure.com/xsd/cccv1p0.xsd")
    final = quiz.id == view.course.assessment.quiz
    description = "\n".join(to_html(text) for text in (quiz.intro, edition_line(view.course)) if text)
    for tag, value in (("title", quiz.title), ("description", description),
                       ("shuffle_answers", "true" if quiz.shuffle else "false"),
                       ("scoring_policy", "keep_highest"),
                       ("quiz_type", "assignment" if final else "practice_quiz"),
                       ("points_possible", f"{float(len(bank_questions(quiz, 'qti')))}"),
                       ("show_correct_answers", "true"),
                       ("allowed_attempts", "-1")):
        etree.SubElement(root, f"{{{CANVAS_NS}}}{tag}").text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@in_course_language
def manifest_xml(view: AudienceView, idents: list[str]) -> bytes:
    """The IMS Content Packaging manifest listing each assessment and its Canvas settings file."""
    root = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS, "xsi": XSI_NS},
                         identifier=f"manifest-{view.course.id}-{view.name}")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{CP_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd")
    metadata = etree.SubElement(root, f"{{{CP_NS}}}metadata")
    etree.SubElement(metadata, f"{{{CP_NS}}}schema").text = "IMS Content"
    etree.SubElement(metadata, f"{{{CP_NS}}}schemaversion").text = "1.1.4"
    metadata.append(etree.Comment(f" {engine_name()} "))  # the generator, where IMS CP has no field for it
    etree.SubElement(root, f"{{{CP_NS}}}organizations")
    resources = etree.SubElement(root, f"{{{CP_NS}}}resources")
    for ident in idents:
        resource = etree.SubElement(resources, f"{{{CP_NS}}}resource", identifier=ident,
                                    type=QTI_RESOURCE_TYPE)
        etree.SubElement(resource, f"{{{CP_NS}}}file", href=f"{ident}/{ident}.xml")
        etree.SubElement(resource, f"{{{CP_NS}}}dependency", identifierref=f"{ident}-meta")
        meta = etree.SubElement(resources, f"{{{CP_NS}}}resource", identifier=f"{ident}-meta",
                                type=META_RESOURCE_TYPE, href=f"{ident}/assessment_meta.xml")
        etree.SubElement(meta, f"{{{CP_NS}}}file", href=f"{ident}/assessment_meta.xml")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@in_course_language
def write_qti_zip(view: AudienceView, archive: Path, left_out: list[LeftOutQuestion] | None = None) -> Path:
    """Write the QTI package for one audience as a deterministic zip; questions it leaves out go to `left_out`."""
    with tempfile.TemporaryDirectory(prefix="coursekit-qti-") as tmp:
        folder = Path(tmp)
        idents = []
        for quiz in bank_quizzes(view):
            ident = assessment_ident(view, quiz)
            idents.append(ident)
            (folder / ident).mkdir()
            (folder / ident / f"{ident}.xml").write_bytes(assessment_xml(view, quiz, left_out))
            (folder / ident / "assessment_meta.xml").write_bytes(assessment_meta_xml(view, quiz))
        (folder / "imsmanifest.xml").write_bytes(manifest_xml(view, idents))
        return zip_folder(folder, archive)
