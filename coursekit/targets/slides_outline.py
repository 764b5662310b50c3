"""What goes on each slide of a lesson or talk deck, decided from the model (no layout, no python-pptx)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, assert_never

from coursekit import model as m
from coursekit.errors import BuildError
from coursekit.messages import Messages, messages
from coursekit.messages import format_date as format_date_in
from coursekit.order import presented
from coursekit.questions import SCALE_POINTS, fixed_order, scored
from coursekit.text import Run, to_blocks, to_plain, url_label
from coursekit.view import AudienceView, audience_view, filter_quiz

LETTERS = "ABCDEFGHIJ"
# Content slides keep to about six short bullets; a question with its options is one idea: it may have more.
QUIZ_GROUPS = 16
# A choice's quality on the "what happens" slide: its label's key and its colour.
QUALITY: dict[str | None, tuple[str, str]] = {
    "best": ("slides.quality_best", "accent"),
    "ok": ("slides.quality_ok", "ink"),
    "poor": ("slides.quality_poor", "warning"),
    None: ("common.ungraded_label", "ink"),
}

# What a local help entry left blank shows instead of its phone or address: a line to write on.
WRITE_IN_LINE = "_" * 24


@dataclass
class Para:
    """A paragraph of slide text: styled runs, bullet depth (0: none), list number (0: none), colour name."""

    runs: list[Run]
    level: int = 0
    number: int = 0
    colour: str = ""  # a PALETTE field name; "" = the slide's text colour
    numbering: str = "arabicPeriod"  # DrawingML auto-number scheme of numbered items ("alphaUcPeriod": A. B.)

    @property
    def text(self) -> str:
        """The paragraph's plain text."""
        return "".join(run.text for run in self.runs)


# Paragraphs that belong together (a bullet, an option and its feedback, a contact): never split apart.
Group = list[Para]


@dataclass
class Link:
    """A shape that jumps to another slide when clicked."""

    label: str
    target: str  # the key of the target slide
    descr: str  # alt text


@dataclass
class Step:
    """One step of "what to do", with its icon."""

    icon: str
    title: str
    text: str


@dataclass
class SlideSpec:
    """One logical slide; long ones become several physical slides "(1/2)", "(2/2)" when laid out."""

    key: str
    kind: str
    title: str
    groups: list[Group]
    notes: list[str]
    max_groups: int = 6
    choices: list[Link] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    image: tuple[Path, str] | None = None
    footer: list[Para] = field(default_factory=list)
    columns: int = 1
    compact: list[Group] = field(default_factory=list)  # a shorter body to use rather than splitting
    # The model object (and field path inside it) this slide's text comes from: errors name its YAML line.
    source: tuple[Any, tuple[str | int, ...]] | None = None
    hidden: bool = False  # skipped by the clicker; reached only through a link (answers, consequences, endings)


def para(text: str, *, bold: bool = False, italic: bool = False, colour: str = "", level: int = 0) -> Para:
    """A one-run paragraph."""
    return Para([Run(text, bold, italic)], level=level, colour=colour)


def markdown_paras(markdown: str) -> list[Para]:
    """Markdown → paragraphs, numbering ordered list items."""
    result: list[Para] = []
    counters: dict[int, int] = {}
    for block in to_blocks(markdown, breaks=True):
        for depth in [d for d in counters if d > block.level or (d == block.level and not block.ordered)]:
            del counters[depth]
        number = 0
        if block.ordered:
            counters[block.level] = counters.get(block.level, 0) + 1
            number = counters[block.level]
        lines = split_lines([Run(r.text, r.bold, r.italic, r.href) for r in block.runs])
        result.append(Para(lines[0], level=block.level, number=number))
        # A line break the author typed starts a new paragraph (a continuation: no bullet, no number).
        result += [Para(line, level=0) for line in lines[1:]]
    return result


def split_lines(runs: list[Run]) -> list[list[Run]]:
    """Runs cut at every "\n": one list of runs per line, each run's style and link kept."""
    lines: list[list[Run]] = [[]]
    for run in runs:
        for index, part in enumerate(run.text.split("\n")):
            if index:
                lines.append([])
            if part:
                lines[-1].append(Run(part, run.bold, run.italic, run.href))
    return [line for line in lines if line] or [[]]


def text_lines(text: str, *, bold: bool = False, italic: bool = False) -> list[Para]:
    """Plain text (a chat message, a prompt) as one paragraph per line the author wrote."""
    return [Para([Run(line, bold, italic)]) for line in text.split("\n") if line.strip()] or [para(text)]


def format_date(day: dt.date, language: str = "en-GB") -> str:
    """A date as "15 January 2026" in the course's language, whatever the build machine's locale."""
    return format_date_in(day, language)


def minutes_text(minutes: int, language: str = "en-GB") -> str:
    """"about N minutes"."""
    return messages(language)("slides.about_minute" if minutes == 1 else "slides.about_minutes", n=minutes)


class OutlineBuilder:
    """Turns one plan into the ordered list of logical slides."""

    def __init__(self, course: m.Course, plan: m.Plan) -> None:
        self.course = course
        self.plan = plan
        self.view: AudienceView = audience_view(course, plan.audience)
        self.slides: list[SlideSpec] = []
        self.say: Messages = messages(course.language)
        self.safeguarding = self.say("slides.safeguarding", text=to_plain(plan.safeguarding).replace("\n", " "))
        # The plan's full safeguarding notes go on the title, each scenario's first and ending slides and the
        # help slide; the slides in between carry this reminder instead of repeating them dozens of times.
        self.short_safeguarding = self.say("slides.short_safeguarding")
        self.session = self.say("slides.whole_session", minutes=self.minutes(plan.duration_minutes))
        # Links to "the slide after this scenario" are resolved once that slide exists.
        self._after: list[tuple[Link, int]] = []

    # --- helpers --------------------------------------------------------------------------------------------

    def minutes(self, minutes: int) -> str:
        """"about N minutes" in the course's language."""
        return minutes_text(minutes, self.say.language)

    def add(self, slide: SlideSpec) -> SlideSpec:
        """Append a slide (its text comes from the plan unless it says otherwise)."""
        if slide.source is None:
            slide.source = (self.plan, ())
        self.slides.append(slide)
        return slide

    def page(self, page_id: str) -> m.Page:
        """A page by id, preferring this audience's version."""
        for _, page in self.view.pages():
            if page.id == page_id:
                return page
        for module in self.course.modules:
            for page in module.pages:
                if page.id == page_id:
                    return page
        raise BuildError(f"{self.plan.kind} plan: activity shows page {page_id!r}, which no module has")

    def activity_timing(self, activity: m.Activity) -> str:
        """The timing line for slides inside an activity."""
        return self.say("slides.timing_part_of", title=activity.title, minutes=self.minutes(activity.minutes))

    def talking_points(self, activity: m.Activity) -> list[str]:
        """The presenter's talking points for an activity."""
        points = [to_plain(activity.speaker_notes)] if activity.speaker_notes else []
        return points + [to_plain(activity.description)]

    # --- the deck -------------------------------------------------------------------------------------------

    def build(self) -> list[SlideSpec]:
        """Every logical slide of the deck, in order."""
        self.title_slide()
        if self.plan.ground_rules:
            self.add(SlideSpec("ground-rules", "rules", self.say("slides.ground_rules"),
                               [[para(rule, level=1)] for rule in self.plan.ground_rules],
                               [self.say("slides.ground_rules_note"), self.say("slides.step_out_note"),
                                self.say("slides.timing_opening", session=self.session)]))
        self.objectives_slide()
        for index, activity in enumerate(self.plan.activities, start=1):
            self.activity_slides(index, activity)
        self.steps_slide()
        self.closing_slide()
        self.help_slide()
        keys = [slide.key for slide in self.slides]
        for link, position in self._after:
            link.target = keys[position]
        duplicates = {key for key in keys if keys.count(key) > 1}
        assert not duplicates, f"duplicate slide keys {duplicates}"
        return self.slides

    def title_slide(self) -> None:
        """Title: the plan, the course, the audience, the content note, version and facts date."""
        course, plan, audience = self.course, self.plan, self.view.audience
        groups = [[para(course.title, bold=True, colour="primary")],
                  [para(f"{audience.label} \u00b7 {capitalise(self.minutes(plan.duration_minutes))}")],
                  markdown_paras(audience.content_note)]
        brand = self.view.brand
        parts = [self.say("slides.version", version=course.version),
                 self.say("common.facts_checked", date=format_date(course.facts_checked, course.language)),
                 brand.name if brand.credited else ""]
        footer = [para(" \u00b7 ".join(part for part in parts if part), colour="muted")]
        notes = [to_plain(plan.overview), self.safeguarding,
                 self.say("slides.help_last_note"), self.say("slides.timing_whole", session=self.session)]
        self.add(SlideSpec("title", "title", plan.title, groups, notes, footer=footer, source=(plan, ("title",))))

    def objectives_slide(self) -> None:
        """Objectives, with outcomes, baseline and vocabulary for the presenter."""
        by_id = {objective.id: objective for objective in self.course.objectives}
        missing = [o for o in self.plan.objectives if o not in by_id]
        if missing:
            raise BuildError(f"{self.plan.kind} plan: unknown objectives {', '.join(missing)}")
        notes = [self.say("slides.read_objectives"), self.say("slides.success", outcomes=" ".join(self.plan.outcomes))]
        if self.plan.baseline:
            baseline = self.plan.baseline
            notes.append(self.say("slides.baseline", title=baseline.title, text=to_plain(baseline.instructions)))
        if self.plan.vocabulary:
            notes.append(self.say("slides.key_words",
                                  words="; ".join(f"{t.term}: {t.definition}" for t in self.plan.vocabulary)))
        notes.append(self.say("slides.timing_opening", session=self.session))
        title = self.say("slides.objectives_lesson" if self.plan.kind == "lesson" else "slides.objectives_talk")
        self.add(SlideSpec("objectives", "objectives", title,
                           [[para(by_id[o].text, level=1)] for o in self.plan.objectives], notes))

    def activity_slides(self, index: int, activity: m.Activity) -> None:
        """A section slide with the agenda and timing, then the activity's pages, scenario and quiz."""
        # The agenda is one group: it stays on one slide, its lines set close together.
        agenda: Group = []
        for number, other in enumerate(self.plan.activities, start=1):
            current = number == index
            marker = "\u2192 " if current else ""
            agenda.append(para(marker + self.say("slides.agenda_item", title=other.title, n=other.minutes),
                               bold=current))
        groups = [[para(capitalise(self.minutes(activity.minutes)), bold=True)], agenda]
        timing = self.say("slides.timing_activity", minutes=self.minutes(activity.minutes),
                          phase=self.say("print.phase_" + activity.phase).lower())
        notes = [*self.talking_points(activity), timing]
        if activity.resources:
            notes.append(self.say("slides.resources", items="; ".join(activity.resources)))
        self.add(SlideSpec(f"activity-{index}", "section", activity.title, groups, notes, source=(activity, ())))
        for page_id in activity.pages:
            page = self.page(page_id)
            image = None
            if page.image is not None:
                path = Path(self.course.root) / page.image.file
                if not path.is_file():
                    raise BuildError(f"page {page.id}: image {page.image.file} is not in the course folder")
                image = (path, page.image.alt)
            self.add(SlideSpec(f"activity-{index}-page-{page.id}", "content", page.title,
                               [[p] for p in markdown_paras(page.body)],
                               self.talking_points(activity) + [self.activity_timing(activity)], image=image,
                               source=(page, ("body",))))
        if activity.scenario:
            scenario = self.course.scenarios.get(activity.scenario)
            if scenario is None:
                raise BuildError(f"{self.plan.kind} plan: unknown scenario {activity.scenario!r}")
            self.scenario_slides(index, activity, scenario)
        if activity.quiz:
            if activity.quiz not in self.course.quizzes:
                raise BuildError(f"{self.plan.kind} plan: unknown quiz {activity.quiz!r}")
            quiz = filter_quiz(self.course.quizzes[activity.quiz], self.plan.audience)
            self.quiz_slides(index, activity, quiz)

    # --- scenarios ------------------------------------------------------------------------------------------

    def message_paras(self, scenario: m.Scenario, messages: list[m.Message]) -> list[Group]:
        """Chat messages as "Name: text" paragraphs; narration in italics."""
        groups: list[Group] = []
        for message in messages:
            # Each line the author wrote stays a line (a fake email's header, its signature).
            if message.sender is None:
                groups.append(text_lines(message.text, italic=True))
            else:
                name = scenario.characters[message.sender].name if message.sender in scenario.characters \
                    else message.sender
                lines = text_lines(message.text)
                groups.append([Para([Run(f"{name}: ", bold=True), *lines[0].runs]), *lines[1:]])
        return groups

    def scenario_slides(self, index: int, activity: m.Activity, scenario: m.Scenario) -> None:
        """One slide per decision (choices link to consequence slides), consequences, then the endings."""
        order = scenario_order(scenario)
        key = {node_id: f"activity-{index}-scenario-{node_id}" for node_id in order}
        decisions = [n for n in order if isinstance(scenario.nodes[n], m.DecisionNode)]
        endings = [n for n in order if isinstance(scenario.nodes[n], m.EndingNode)]
        position = {node_id: i for i, node_id in enumerate(decisions + endings)}
        timing = self.activity_timing(activity)
        for node_id in decisions:
            node = scenario.nodes[node_id]
            assert isinstance(node, m.DecisionNode)
            groups = self.message_paras(scenario, node.messages)
            answers = [f"{LETTERS[j]} ({self.say('slides.grade_' + (c.quality or 'ungraded'))}): {c.text}. {c.feedback}"
                       for j, c in enumerate(node.choices)]
            notes = ([f"{scenario.title}: {scenario.summary}"] if node_id == scenario.start else []) + \
                self.talking_points(activity) + [
                    self.say("slides.discuss_decision", prompt=node.prompt),
                    self.say("slides.answers", answers=" | ".join(answers)),
                    self.safeguarding if node_id == scenario.start else self.short_safeguarding, timing]
            outcome = f"{key[node_id]}-what-happens"
            choices = [Link(f"{LETTERS[j]}  {c.text}", outcome,
                            self.say("slides.choice_tip", letter=LETTERS[j], text=c.text))
                       for j, c in enumerate(node.choices)]
            self.add(SlideSpec(key[node_id], "decision", node.prompt, groups, notes, choices=choices,
                               source=(node, ())))
            # One hidden "what happens" slide per decision, reached only through a choice: the clicker never
            # shows it, and the class sees why each option helps or not (issue 10 #16).
            outcomes: list[Group] = []
            links: list[Link] = []
            for j, choice in enumerate(node.choices):
                label_key, colour = QUALITY[choice.quality]
                label = self.say(label_key)
                outcomes.append([Para([Run(f"{LETTERS[j]}: ", bold=True), Run(choice.text, italic=True)]),
                                 para(label, bold=True, colour=colour), para(choice.feedback)])
                target = scenario.nodes[choice.next]
                target_name = target.title if isinstance(target, m.EndingNode) else target.prompt
                if choice.next == node_id:
                    button = self.say("slides.after_choose_again", letter=LETTERS[j])
                elif position[choice.next] > position[node_id]:
                    button = self.say("slides.after_onward", letter=LETTERS[j])
                else:
                    button = self.say("slides.after_go_back", letter=LETTERS[j])
                links.append(Link(button, key[choice.next],
                                  self.say("slides.after_tip", letter=LETTERS[j], target=target_name)))
            notes = [self.say("slides.show_outcome_note"), self.say("slides.discuss_outcome"),
                     self.say("slides.answers", answers=" | ".join(answers)), self.short_safeguarding, timing]
            # The title stays the question: a modelled poor reaction is never a headline (issue 10 #9).
            self.add(SlideSpec(outcome, "consequence", self.say("slides.what_happens", prompt=node.prompt), outcomes, notes,
                               links=links, hidden=True, source=(node, ("choices",))))
        onward: list[Link] = []
        for node_id in endings:
            node = scenario.nodes[node_id]
            assert isinstance(node, m.EndingNode)
            groups = self.message_paras(scenario, node.messages) + [[p] for p in markdown_paras(node.debrief)]
            links = [Link(self.say("slides.play_again"), key[scenario.start],
                          self.say("slides.play_again_tip", title=scenario.title)),
                     Link(self.say("slides.continue"), "", self.say("slides.continue_session_tip"))]
            if node.ending == "retry":
                # A retry ending invites another try: it says so first and links back to the decision.
                groups.insert(0, [para(self.say("common.retry_invite"), bold=True, colour="warning")])
                back = next(n for n, d in scenario.nodes.items() if n in key and isinstance(d, m.DecisionNode)
                            and any(c.next == node_id for c in d.choices))
                back_node = scenario.nodes[back]
                assert isinstance(back_node, m.DecisionNode)
                links[0] = Link(self.say("slides.try_another_way"), key[back],
                                self.say("slides.back_to", target=back_node.prompt))
            onward.append(links[1])
            notes = [to_plain(node.debrief),
                     self.say("slides.discuss_ending"), self.safeguarding, timing]
            self.add(SlideSpec(key[node_id], "ending", node.title, groups, notes, links=links, hidden=True,
                               source=(node, ("debrief",))))
        # "Continue" after an ending goes to whatever slide follows the scenario (known once it is added).
        self._after += [(link, len(self.slides)) for link in onward]

    # --- quizzes --------------------------------------------------------------------------------------------

    def quiz_slides(self, index: int, activity: m.Activity, quiz: m.Quiz) -> None:
        """For each question: a question slide, then a reveal slide with the answer and why."""
        total = len(quiz.questions)
        for number, question in enumerate(fixed_order(quiz), start=1):
            asked, reveal, answer = question_content(quiz, question, self.say.language)
            prompt = markdown_paras(question.prompt)
            for p in prompt:
                p.colour = p.colour or "primary"
                p.runs = [Run(r.text, True, r.italic) for r in p.runs]
            why = [to_plain(question.explanation)] if question.explanation else []
            # Speaker notes for a question slide and its reveal: a scored question, or a scale (no right answer).
            ask, debrief = (self.say("slides.discuss_question"), self.say("slides.discuss_reveal")) if scored(question) \
                else (self.say("slides.discuss_scale"), self.say("slides.discuss_scale_reveal"))
            notes = [self.say("slides.answer_note", answer=answer), *why, ask, self.activity_timing(activity)]
            base = f"activity-{index}-quiz-{quiz.id}-{question.id}"
            asking = self.say("slides.question_title", quiz=quiz.title, n=number, count=total)
            # The answer is a hidden slide behind a "Show answer" link: the clicker never reveals it.
            show = Link(self.say("slides.show_answer"), f"{base}-answer", self.say("slides.show_answer_tip", question=asking))
            notes.insert(-1, self.say("slides.show_answer_note"))
            self.add(SlideSpec(base, "question", asking, [prompt, *asked], notes, max_groups=QUIZ_GROUPS,
                               links=[show], source=(question, ())))
            explanation = [[p] for p in markdown_paras(question.explanation)] if question.explanation else []
            onward = Link(self.say("slides.continue"), "", self.say("slides.continue_slide_tip"))
            self.add(SlideSpec(f"{base}-answer", "reveal",
                               self.say("slides.answer_title", quiz=quiz.title, n=number, count=total),
                               [*reveal, *explanation],
                               [self.say("slides.answer_note", answer=answer), *why, debrief,
                                self.activity_timing(activity)],
                               max_groups=QUIZ_GROUPS,
                               links=[Link(self.say("slides.back_to_question"), base,
                                           self.say("slides.back_to", target=asking)), onward],
                               hidden=True, source=(question, ())))
            self._after.append((onward, len(self.slides)))

    # --- the end of the deck --------------------------------------------------------------------------------

    def steps_slide(self) -> None:
        """What to do if it happens: the leaflet's steps, with the same icons as the leaflet and module."""
        leaflet = self.view.leaflet
        if leaflet is None:
            return
        steps = [Step(step.icon, step.title, step.text) for step in leaflet.steps]
        notes = [self.say("slides.steps_note"), *[f"{s.title}: {s.text}" for s in steps],
                 self.say("slides.timing_part_close", session=self.session)]
        self.add(SlideSpec("steps", "steps", leaflet.steps_title, [], notes, steps=steps,
                           source=(leaflet, ("steps",))))

    def qa_notes(self) -> list[str]:
        """Anticipated questions and answers for the presenter."""
        if not self.plan.questions:
            return [self.say("slides.invite_questions")]
        return [self.say("slides.questions_people_ask")] + [
            self.say("slides.qa", question=q.question, answer=q.answer) for q in self.plan.questions]

    def closing_slide(self) -> None:
        """The core messages."""
        messages = self.view.audience.core_messages
        notes = [self.say("slides.finish_note")]
        if self.plan.baseline:
            notes.append(self.say("slides.revisit_baseline", title=self.plan.baseline.title,
                                  text=to_plain(self.plan.baseline.revisit)))
        notes += self.qa_notes()
        notes.append(self.say("slides.timing_close", session=self.session))
        self.add(SlideSpec("closing", "closing", self.say("slides.what_to_remember"),
                           [[para(message, bold=True, level=1)] for message in messages], notes))

    def help_slide(self) -> None:
        """The audience's help contacts (and the plan's), meant to stay up at the end."""
        contacts = list(self.view.help)
        for help_id in self.plan.help:
            if help_id in self.course.help and help_id not in dict(contacts):
                contacts.append((help_id, self.course.help[help_id]))
        groups: list[Group] = []
        compact: list[Group] = []
        details: list[str] = []
        for _, contact in contacts:
            group = [para(contact.name, bold=True, colour="primary")]
            url = url_label(contact.url) if contact.url else ""
            ways = [w for w in (contact.phone, url, contact.email, contact.how) if w]
            if contact.write_in:
                # A local contact left blank in course.yaml: a line to write it in (on a printed copy or the board).
                ways = [WRITE_IN_LINE]
            if ways:
                # The email address is a mailto: link on the slide.
                runs = [Run(w, href=f"mailto:{w}" if w == contact.email else "") for w in ways]
                joined = [runs[0]] + [r for run in runs[1:] for r in (Run(" \u00b7 "), run)]
                group.append(Para(joined))
            compact.append(list(group))
            groups.append(group + ([para(contact.description)] if contact.description else []))
            details.append(f"{contact.name}: {contact.description} {' '.join(ways)}".strip())
        leaflet = self.view.leaflet
        core = leaflet.core_message if leaflet is not None else self.view.audience.core_messages[0]
        title = leaflet.help_title if leaflet is not None else self.say("print.where_to_get_help")
        course = self.course
        credit = f" \u00b7 {self.view.brand.name}" if self.view.brand.credited else ""
        footer = [para(self.say("print.footer", title=course.title, version=course.version,
                                date=format_date(course.facts_checked, course.language)) + credit, colour="muted")]
        notes = [self.say("slides.help_note"), *details,
                 *self.qa_notes(), self.safeguarding]
        closing = [para(core, bold=True, colour="accent")]
        # The slide should stay up as ONE slide: if the descriptions do not fit, show names and numbers only.
        self.add(SlideSpec("help", "help", title, groups + [closing], notes, footer=footer,
                           columns=2 if len(groups) > 3 else 1, max_groups=len(groups) + 1,
                           compact=compact + [closing]))


def scenario_order(scenario: m.Scenario) -> list[str]:
    """Nodes in the order a reader meets them: breadth-first from the start, following choices in order."""
    order, queue = [scenario.start], [scenario.start]
    while queue:
        node = scenario.nodes[queue.pop(0)]
        if isinstance(node, m.DecisionNode):
            for choice in node.choices:
                if choice.next not in order:
                    if choice.next not in scenario.nodes:
                        raise BuildError(f"scenario {scenario.id}: a choice goes to unknown node "
                                         f"{choice.next!r}")
                    order.append(choice.next)
                    queue.append(choice.next)
    return order


def capitalise(text: str) -> str:
    """The text with its first letter in capitals (the rest as it is)."""
    return text[:1].upper() + text[1:]


def question_content(quiz: m.Quiz, question: m.Question,
                     language: str = "en-GB") -> tuple[list[Group], list[Group], str]:
    """What the class sees when asked, what the reveal shows, and the answer in one line for the notes
    (options, items and answers in the question's shared seeded order, as on paper and in the quiz banks)."""
    say = messages(language)
    true, false = say("common.true"), say("common.false")
    def item(index: int, runs: list[Run], *, letters: bool = True) -> Para:
        """A real numbered list item ("A.", "B." or "1.", "2."): wrapped lines hang under the text."""
        return Para(runs, level=1, number=index + 1, numbering="alphaUcPeriod" if letters else "arabicPeriod")

    def feedback(text: str) -> Para:
        """Feedback under an option, one level deeper."""
        return para(text, level=2)

    def overall(question: m.OrderQuestion | m.MatchQuestion) -> list[Group]:
        """The overall "all right" / "not quite" feedback, each labelled."""
        return [[Para([Run(label, bold=True), Run(" " + text)])] for label, text in
                ((say("print.all_right"), question.feedback_correct),
                 (say("print.not_quite"), question.feedback_incorrect)) if text]

    match question:
        case m.SingleQuestion() | m.MultipleQuestion():
            hint = say("slides.choose_one" if isinstance(question, m.SingleQuestion) else "web.choose_all")
            # In the course's one seeded order (coursekit/arrange.py).
            options = [[item(i, [Run(option.text)])] for i, option in enumerate(question.options)]
            asked = [[para(hint, italic=True)], *options]
            correct = [f"{LETTERS[i]} ({o.text})" for i, o in enumerate(question.options) if o.correct]
            reveal: list[Group] = [[para(say("slides.answer", answer=", ".join(correct)), bold=True, colour="accent")]]
            for i, option in enumerate(question.options):
                verdict = Run(" " + say("slides.mark_correct" if option.correct else "slides.mark_not_correct"),
                              bold=True)
                reveal.append([item(i, [Run(option.text), verdict]), feedback(option.feedback)])
            return asked, reveal, ", ".join(correct)
        case m.TrueFalseQuestion():
            answer = true if question.answer else false
            chosen = question.feedback_true if question.answer else question.feedback_false
            asked = [[para(say("slides.true_or_false"), italic=True)], [item(0, [Run(true)])], [item(1, [Run(false)])]]
            # Both answers with their feedback, like the options of other questions: what to say to those who
            # answered wrongly is on the slide too.
            reveal = [[para(say("slides.answer", answer=answer), bold=True, colour="accent")]]
            for i, (value, text) in enumerate(((True, question.feedback_true), (False, question.feedback_false))):
                verdict = Run(" " + say("slides.mark_correct" if value == question.answer else "slides.mark_not_correct"),
                              bold=True)
                reveal.append([item(i, [Run(true if value else false), verdict]), feedback(text)])
            return asked, reveal, f"{answer}. {chosen}"
        case m.OrderQuestion():
            texts = [entry.text for entry in question.items]
            mixed = presented(quiz.id, question.id, texts)
            asked = [[para(say("slides.order_hint"), italic=True)]] + \
                [[item(i, [Run(text)])] for i, text in enumerate(mixed)]
            reveal = [[para(say("slides.right_order"), bold=True, colour="accent")]]
            for i, entry in enumerate(question.items):
                reveal.append([item(i, [Run(entry.text, bold=True)], letters=False), feedback(entry.feedback)])
            answer = " \u2192 ".join(f"{LETTERS[mixed.index(t)]} ({t})" for t in texts)
            return asked, reveal + overall(question), answer
        case m.MatchQuestion():
            rights = presented(quiz.id, question.id,
                               [pair.right for pair in question.pairs] + list(question.distractors))
            asked = [[para(say("slides.match_hint"), italic=True)],
                     [item(i, [Run(pair.left)], letters=False) for i, pair in enumerate(question.pairs)],
                     [para(say("slides.answers_label"), bold=True)], [item(i, [Run(text)]) for i, text in enumerate(rights)]]
            reveal = [[para(say("slides.the_matches"), bold=True, colour="accent")]]
            for pair in question.pairs:
                match = Para([Run(pair.left, bold=True), Run(" \u2192 "), Run(pair.right, bold=True)], level=1)
                reveal.append([match, feedback(pair.feedback)])
            if question.distractors:
                reveal.append([para(say("slides.not_used", items=", ".join(question.distractors)), italic=True)])
            reveal += overall(question)
            answer = "; ".join(f"{i} \u2192 {LETTERS[rights.index(p.right)]} ({p.left} \u2192 {p.right})"
                               for i, p in enumerate(question.pairs, start=1))
            return asked, reveal, answer
        case m.ScaleQuestion():
            points = [f"{n} ({question.label_low})" if n == 1 else f"{n} ({question.label_high})" if n == 5
                      else str(n) for n in SCALE_POINTS]
            asked = [[para(say("slides.scale_hint"), italic=True)],
                     [para("   ".join(points), bold=True)]]
            reveal = [[para(say("slides.scale_no_right"), bold=True, colour="accent")],
                      [para(say("slides.scale_views"))]]
            return asked, reveal, say("slides.scale_answer")
        case _:
            assert_never(question)


def build_outline(course: m.Course, plan: m.Plan) -> list[SlideSpec]:
    """The logical slides of the deck for `plan`."""
    return OutlineBuilder(course, plan).build()
