"""What goes on each slide of a lesson or talk deck, decided from the model (no layout, no python-pptx)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, assert_never

from coursekit import model as m
from coursekit.errors import BuildError
from coursekit.order import presented
from coursekit.questions import SCALE_POINTS, fixed_order, scored
from coursekit.text import Run, to_blocks, to_plain, url_label
from coursekit.view import AudienceView, audience_view, filter_quiz

LETTERS = "ABCDEFGHIJ"
# The plan's full safeguarding notes go on the title, each scenario's first and ending slides and the help
# slide; the slides in between carry this reminder instead of repeating them dozens of times.
SHORT_SAFEGUARDING = ("Safeguarding: keep the discussion about the characters, not anyone in the room; "
                      "the full safeguarding notes are on the scenario's first slide.")
# Content slides keep to about six short bullets; a question with its options is one idea: it may have more.
QUIZ_GROUPS = 16
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
# Speaker notes for a question slide and its reveal: a scored question, and a scale (no right answer).
DISCUSSION = (("Discussion: give everyone time to decide (hands up, cards or mini-whiteboards), then "
               "ask a few people why before you reveal the answer."),
              ("Discussion: ask what surprised people, and check "
               "anyone who got it wrong knows why without singling them out."))
SCALE_DISCUSSION = ("Discussion: ask everyone to pick a number privately; nobody has to share it.",
                    ("Discussion: there is no right answer. Invite anyone who wants to say why they chose their "
                     "number; point to where help is for anyone who chose a low number."))
QUALITY: dict[str | None, tuple[str, str]] = {
    "best": ("A strong choice", "accent"),
    "ok": ("An OK choice, but there is a better one", "ink"),
    "poor": ("Not the safest choice", "warning"),
    None: (m.UNGRADED_LABEL, "ink"),
}


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


def format_date(day: dt.date) -> str:
    """A date as "15 January 2026", whatever the build machine's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def minutes_text(minutes: int) -> str:
    """"about N minutes"."""
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


class OutlineBuilder:
    """Turns one plan into the ordered list of logical slides."""

    def __init__(self, course: m.Course, plan: m.Plan) -> None:
        self.course = course
        self.plan = plan
        self.view: AudienceView = audience_view(course, plan.audience)
        self.slides: list[SlideSpec] = []
        self.safeguarding = "Safeguarding: " + to_plain(plan.safeguarding).replace("\n", " ")
        self.session = f"the whole session is {minutes_text(plan.duration_minutes)}"
        # Links to "the slide after this scenario" are resolved once that slide exists.
        self._after: list[tuple[Link, int]] = []

    # --- helpers --------------------------------------------------------------------------------------------

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
        return f"Timing: part of \u201c{activity.title}\u201d, {minutes_text(activity.minutes)} in all."

    def talking_points(self, activity: m.Activity) -> list[str]:
        """The presenter's talking points for an activity."""
        points = [to_plain(activity.speaker_notes)] if activity.speaker_notes else []
        return points + [to_plain(activity.description)]

    # --- the deck -------------------------------------------------------------------------------------------

    def build(self) -> list[SlideSpec]:
        """Every logical slide of the deck, in order."""
        self.title_slide()
        if self.plan.ground_rules:
            self.add(SlideSpec("ground-rules", "rules", "Ground rules",
                               [[para(rule, level=1)] for rule in self.plan.ground_rules],
                               ["Agree the ground rules together before you start; keep them up if you can.",
                                "Remind everyone they can step out or pass at any time.",
                                f"Timing: part of the opening; {self.session}."]))
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
                  [para(f"{audience.label} \u00b7 {minutes_text(plan.duration_minutes).capitalize()}")],
                  markdown_paras(audience.content_note)]
        parts = [f"Version {course.version}", f"Facts last checked {format_date(course.facts_checked)}",
                 course.publisher]
        footer = [para(" \u00b7 ".join(part for part in parts if part), colour="muted")]
        notes = [to_plain(plan.overview), self.safeguarding,
                 "Help contacts are on the last slide: leave it up at the end.",
                 f"Timing: the whole session is {minutes_text(plan.duration_minutes)}."]
        self.add(SlideSpec("title", "title", plan.title, groups, notes, footer=footer, source=(plan, ("title",))))

    def objectives_slide(self) -> None:
        """Objectives, with outcomes, baseline and vocabulary for the presenter."""
        by_id = {objective.id: objective for objective in self.course.objectives}
        missing = [o for o in self.plan.objectives if o not in by_id]
        if missing:
            raise BuildError(f"{self.plan.kind} plan: unknown objectives {', '.join(missing)}")
        notes = ["Read the objectives aloud.", "Success looks like: " + " ".join(self.plan.outcomes)]
        if self.plan.baseline:
            baseline = self.plan.baseline
            notes.append(f"Baseline ({baseline.title}): {to_plain(baseline.instructions)}")
        if self.plan.vocabulary:
            notes.append("Key words: " + "; ".join(f"{t.term}: {t.definition}" for t in self.plan.vocabulary))
        notes.append(f"Timing: part of the opening; {self.session}.")
        title = "What we will learn" if self.plan.kind == "lesson" else "What this talk covers"
        self.add(SlideSpec("objectives", "objectives", title,
                           [[para(by_id[o].text, level=1)] for o in self.plan.objectives], notes))

    def activity_slides(self, index: int, activity: m.Activity) -> None:
        """A section slide with the agenda and timing, then the activity's pages, scenario and quiz."""
        # The agenda is one group: it stays on one slide, its lines set close together.
        agenda: Group = []
        for number, other in enumerate(self.plan.activities, start=1):
            current = number == index
            marker = "\u2192 " if current else ""
            agenda.append(para(f"{marker}{other.title} ({other.minutes} min)", bold=current))
        groups = [[para(f"{minutes_text(activity.minutes).capitalize()}", bold=True)], agenda]
        timing = f"Timing: {minutes_text(activity.minutes)} ({activity.phase})."
        notes = [*self.talking_points(activity), timing]
        if activity.resources:
            notes.append("Resources: " + "; ".join(activity.resources))
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
            answers = [f"{LETTERS[j]} ({c.quality or 'ungraded'}): {c.text}. {c.feedback}"
                       for j, c in enumerate(node.choices)]
            notes = ([f"{scenario.title}: {scenario.summary}"] if node_id == scenario.start else []) + \
                self.talking_points(activity) + [
                    (f"Discussion: read the messages aloud, then ask \u201c{node.prompt}\u201d. Take a few "
                     "answers and ask why, then click the option the group chooses."),
                    "Answers: " + " | ".join(answers),
                    self.safeguarding if node_id == scenario.start else SHORT_SAFEGUARDING, timing]
            outcome = f"{key[node_id]}-what-happens"
            choices = [Link(f"{LETTERS[j]}  {c.text}", outcome,
                            f"Choice {LETTERS[j]}: {c.text}. Select to see what happens.")
                       for j, c in enumerate(node.choices)]
            self.add(SlideSpec(key[node_id], "decision", node.prompt, groups, notes, choices=choices,
                               source=(node, ())))
            # One hidden "what happens" slide per decision, reached only through a choice: the clicker never
            # shows it, and the class sees why each option helps or not (issue 10 #16).
            outcomes: list[Group] = []
            links: list[Link] = []
            for j, choice in enumerate(node.choices):
                label, colour = QUALITY[choice.quality]
                outcomes.append([Para([Run(f"{LETTERS[j]}: ", bold=True), Run(choice.text, italic=True)]),
                                 para(label, bold=True, colour=colour), para(choice.feedback)])
                target = scenario.nodes[choice.next]
                target_name = target.title if isinstance(target, m.EndingNode) else target.prompt
                if choice.next == node_id:
                    button = f"After {LETTERS[j]}: choose again"
                elif position[choice.next] > position[node_id]:
                    button = f"After {LETTERS[j]} \u2192"
                else:
                    button = f"After {LETTERS[j]}: go back"
                links.append(Link(button, key[choice.next], f"After choice {LETTERS[j]}, go to: {target_name}"))
            notes = ["Show what the group's choice leads to, then the other options.",
                     "Discussion: why might someone choose each of these? How might the people in the story feel?",
                     "Answers: " + " | ".join(answers), SHORT_SAFEGUARDING, timing]
            # The title stays the question: a modelled poor reaction is never a headline (issue 10 #9).
            self.add(SlideSpec(outcome, "consequence", f"{node.prompt} (what happens)", outcomes, notes,
                               links=links, hidden=True, source=(node, ("choices",))))
        onward: list[Link] = []
        for node_id in endings:
            node = scenario.nodes[node_id]
            assert isinstance(node, m.EndingNode)
            groups = self.message_paras(scenario, node.messages) + [[p] for p in markdown_paras(node.debrief)]
            links = [Link("Play again", key[scenario.start], f"Back to the start of {scenario.title}"),
                     Link("Continue \u2192", "", "Go to the next part of the session")]
            if node.ending == "retry":
                # A retry ending invites another try: it says so first and links back to the decision.
                groups.insert(0, [para(m.RETRY_INVITE, bold=True, colour="warning")])
                back = next(n for n, d in scenario.nodes.items() if n in key and isinstance(d, m.DecisionNode)
                            and any(c.next == node_id for c in d.choices))
                back_node = scenario.nodes[back]
                assert isinstance(back_node, m.DecisionNode)
                links[0] = Link("Try another way", key[back], f"Back to: {back_node.prompt}")
            onward.append(links[1])
            notes = [to_plain(node.debrief),
                     ("Discussion: what helped in this story? Who could they talk to, and what would you say "
                      "to a friend in the same situation?"), self.safeguarding, timing]
            self.add(SlideSpec(key[node_id], "ending", node.title, groups, notes, links=links, hidden=True,
                               source=(node, ("debrief",))))
        # "Continue" after an ending goes to whatever slide follows the scenario (known once it is added).
        self._after += [(link, len(self.slides)) for link in onward]

    # --- quizzes --------------------------------------------------------------------------------------------

    def quiz_slides(self, index: int, activity: m.Activity, quiz: m.Quiz) -> None:
        """For each question: a question slide, then a reveal slide with the answer and why."""
        total = len(quiz.questions)
        for number, question in enumerate(fixed_order(quiz), start=1):
            asked, reveal, answer = question_content(quiz, question)
            prompt = markdown_paras(question.prompt)
            for p in prompt:
                p.colour = p.colour or "primary"
                p.runs = [Run(r.text, True, r.italic) for r in p.runs]
            why = [to_plain(question.explanation)] if question.explanation else []
            ask, debrief = DISCUSSION if scored(question) else SCALE_DISCUSSION
            notes = [f"Answer: {answer}", *why, ask, self.activity_timing(activity)]
            base = f"activity-{index}-quiz-{quiz.id}-{question.id}"
            asking = f"{quiz.title}: question {number} of {total}"
            # The answer is a hidden slide behind a "Show answer" link: the clicker never reveals it.
            show = Link("Show answer", f"{base}-answer", f"Show the answer to {asking}")
            notes.insert(-1, "Click \u201cShow answer\u201d when everyone has decided; the clicker skips it.")
            self.add(SlideSpec(base, "question", asking, [prompt, *asked], notes, max_groups=QUIZ_GROUPS,
                               links=[show], source=(question, ())))
            explanation = [[p] for p in markdown_paras(question.explanation)] if question.explanation else []
            onward = Link("Continue \u2192", "", "Go on to the next slide")
            self.add(SlideSpec(f"{base}-answer", "reveal", f"{quiz.title}: answer {number} of {total}",
                               [*reveal, *explanation],
                               [f"Answer: {answer}", *why, debrief, self.activity_timing(activity)],
                               max_groups=QUIZ_GROUPS,
                               links=[Link("Back to the question", base, f"Back to {asking}"), onward],
                               hidden=True, source=(question, ())))
            self._after.append((onward, len(self.slides)))

    # --- the end of the deck --------------------------------------------------------------------------------

    def steps_slide(self) -> None:
        """What to do if it happens: the leaflet's steps, with the same icons as the leaflet and module."""
        leaflet = self.view.leaflet
        if leaflet is None:
            return
        steps = [Step(step.icon, step.title, step.text) for step in leaflet.steps]
        notes = ["Talk through each step; these are the same steps, with the same icons, as the leaflet.",
                 *[f"{s.title}: {s.text}" for s in steps],
                 f"Timing: part of the close; {self.session}."]
        self.add(SlideSpec("steps", "steps", leaflet.steps_title, [], notes, steps=steps,
                           source=(leaflet, ("steps",))))

    def qa_notes(self) -> list[str]:
        """Anticipated questions and answers for the presenter."""
        if not self.plan.questions:
            return ["Invite questions, and say you can also talk privately afterwards."]
        return ["Questions people may ask:"] + [f"Q: {q.question} A: {q.answer}" for q in self.plan.questions]

    def closing_slide(self) -> None:
        """The core messages."""
        messages = self.view.audience.core_messages
        notes = ["Finish on these messages; say them slowly."]
        if self.plan.baseline:
            notes.append(f"Revisit the baseline ({self.plan.baseline.title}): "
                         f"{to_plain(self.plan.baseline.revisit)}")
        notes += self.qa_notes()
        notes.append(f"Timing: the close; {self.session}.")
        self.add(SlideSpec("closing", "closing", "What to remember",
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
            if ways:
                # The email address is a mailto: link on the slide.
                runs = [Run(w, href=f"mailto:{w}" if w == contact.email else "") for w in ways]
                joined = [runs[0]] + [r for run in runs[1:] for r in (Run(" \u00b7 "), run)]
                group.append(Para(joined))
            compact.append(list(group))
            groups.append(group + [para(contact.description)])
            details.append(f"{contact.name}: {contact.description} {' '.join(ways)}".strip())
        leaflet = self.view.leaflet
        core = leaflet.core_message if leaflet is not None else self.view.audience.core_messages[0]
        title = leaflet.help_title if leaflet is not None else "Where to get help"
        course = self.course
        footer = [para(f"{course.title} \u00b7 version {course.version} \u00b7 facts last checked "
                       f"{format_date(course.facts_checked)}", colour="muted")]
        notes = ["Leave this slide up at the end so people can note the contacts.", *details,
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


def question_content(quiz: m.Quiz, question: m.Question) -> tuple[list[Group], list[Group], str]:
    """What the class sees when asked, what the reveal shows, and the answer in one line for the notes
    (options, items and answers in the question's shared seeded order, as on paper and in the quiz banks)."""
    def item(index: int, runs: list[Run], *, letters: bool = True) -> Para:
        """A real numbered list item ("A.", "B." or "1.", "2."): wrapped lines hang under the text."""
        return Para(runs, level=1, number=index + 1, numbering="alphaUcPeriod" if letters else "arabicPeriod")

    def feedback(text: str) -> Para:
        """Feedback under an option, one level deeper."""
        return para(text, level=2)

    def overall(question: m.OrderQuestion | m.MatchQuestion) -> list[Group]:
        """The overall "all right" / "not quite" feedback, each labelled."""
        return [[Para([Run(label, bold=True), Run(" " + text)])] for label, text in
                (("All right:", question.feedback_correct), ("Not quite:", question.feedback_incorrect)) if text]

    match question:
        case m.SingleQuestion() | m.MultipleQuestion():
            hint = "Choose one answer." if isinstance(question, m.SingleQuestion) else "Choose all that apply."
            # In the course's one seeded order (coursekit/arrange.py).
            options = [[item(i, [Run(option.text)])] for i, option in enumerate(question.options)]
            asked = [[para(hint, italic=True)], *options]
            correct = [f"{LETTERS[i]} ({o.text})" for i, o in enumerate(question.options) if o.correct]
            reveal: list[Group] = [[para("Answer: " + ", ".join(correct), bold=True, colour="accent")]]
            for i, option in enumerate(question.options):
                verdict = Run(" \u2713 correct" if option.correct else " \u2717 not correct", bold=True)
                reveal.append([item(i, [Run(option.text), verdict]), feedback(option.feedback)])
            return asked, reveal, ", ".join(correct)
        case m.TrueFalseQuestion():
            answer = "True" if question.answer else "False"
            chosen = question.feedback_true if question.answer else question.feedback_false
            asked = [[para("True or false?", italic=True)], [item(0, [Run("True")])], [item(1, [Run("False")])]]
            # Both answers with their feedback, like the options of other questions: what to say to those who
            # answered wrongly is on the slide too.
            reveal = [[para(f"Answer: {answer}", bold=True, colour="accent")]]
            for i, (value, text) in enumerate(((True, question.feedback_true), (False, question.feedback_false))):
                verdict = Run(" \u2713 correct" if value == question.answer else " \u2717 not correct", bold=True)
                reveal.append([item(i, [Run("True" if value else "False"), verdict]), feedback(text)])
            return asked, reveal, f"{answer}. {chosen}"
        case m.OrderQuestion():
            texts = [entry.text for entry in question.items]
            mixed = presented(quiz.id, question.id, texts)
            asked = [[para("Put these in the right order.", italic=True)]] + \
                [[item(i, [Run(text)])] for i, text in enumerate(mixed)]
            reveal = [[para("The right order:", bold=True, colour="accent")]]
            for i, entry in enumerate(question.items):
                reveal.append([item(i, [Run(entry.text, bold=True)], letters=False), feedback(entry.feedback)])
            answer = " \u2192 ".join(f"{LETTERS[mixed.index(t)]} ({t})" for t in texts)
            return asked, reveal + overall(question), answer
        case m.MatchQuestion():
            rights = presented(quiz.id, question.id,
                               [pair.right for pair in question.pairs] + list(question.distractors))
            asked = [[para("Match each item with one answer.", italic=True)],
                     [item(i, [Run(pair.left)], letters=False) for i, pair in enumerate(question.pairs)],
                     [para("Answers:", bold=True)], [item(i, [Run(text)]) for i, text in enumerate(rights)]]
            reveal = [[para("The matches:", bold=True, colour="accent")]]
            for pair in question.pairs:
                match = Para([Run(pair.left, bold=True), Run(" \u2192 "), Run(pair.right, bold=True)], level=1)
                reveal.append([match, feedback(pair.feedback)])
            if question.distractors:
                reveal.append([para("Not used: " + ", ".join(question.distractors), italic=True)])
            reveal += overall(question)
            answer = "; ".join(f"{i} \u2192 {LETTERS[rights.index(p.right)]} ({p.left} \u2192 {p.right})"
                               for i, p in enumerate(question.pairs, start=1))
            return asked, reveal, answer
        case m.ScaleQuestion():
            points = [f"{n} ({question.label_low})" if n == 1 else f"{n} ({question.label_high})" if n == 5
                      else str(n) for n in SCALE_POINTS]
            asked = [[para("From 1 to 5: choose one number (there is no right answer).", italic=True)],
                     [para("   ".join(points), bold=True)]]
            reveal = [[para("There is no right answer.", bold=True, colour="accent")],
                      [para("Everyone's view counts. People can keep their number to themselves; nobody has to share it.")]]
            return asked, reveal, "No right answer: a 1-5 agreement question, not scored."
        case _:
            assert_never(question)


def build_outline(course: m.Course, plan: m.Plan) -> list[SlideSpec]:
    """The logical slides of the deck for `plan`."""
    return OutlineBuilder(course, plan).build()
