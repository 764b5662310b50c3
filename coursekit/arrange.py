"""Options and story choices in one seeded order per question/decision, for every output (issue 10 #17).

Authors tend to write the best answer first; a fixed order would teach "pick A". The validated course
holds single/multiple options and scenario choices in `seeded_order`, so the module, the printables, the
slides and the quiz banks all show the same order without a shuffle of their own. The YAML line map is
moved with them, so file:line messages still name the line the author wrote.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from coursekit import model as m
from coursekit.order import seeded_order

Loc = tuple[str | int, ...]
# For each reordered list, its path in the file and the new order (the authored index at each position).
Moves = list[tuple[Loc, list[int]]]

# At most this share of a scenario's graded decisions (or a quiz's choice questions) has the best option first;
# a plain shuffle of mostly two-option decisions would put it first about half the time (the issue allows 40%).
FIRST_SHARE = 0.35


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def firsts(keys: list[str], forced: int) -> set[str]:
    """Which of `keys` (items that have both best and other options) get a best option first: a seeded pick of
    floor(FIRST_SHARE x all) minus the `forced` ones (every option best), so no scenario or quiz, and no
    selection of them, has the best first more often than FIRST_SHARE."""
    count = max(0, math.floor(FIRST_SHARE * (len(keys) + forced)) - forced)
    return set(sorted(keys, key=_hash)[:count])


def balanced_order(key: str, best: list[bool], best_first: bool) -> list[int]:
    """Indices in `seeded_order(key)`, with a best option (or, if not `best_first`, another one) moved first."""
    order = seeded_order(key, range(len(best)))
    if all(best) or not any(best):
        return order
    first = next(i for i in order if best[i] == best_first)
    return [first, *(i for i in order if i != first)]


def best_choices(node: m.DecisionNode) -> list[bool]:
    """Which choices are the best of a graded decision (none for an ungraded one)."""
    ranks = {"best": 3, "ok": 2, "poor": 1}
    top = max((ranks[c.quality] for c in node.choices if c.quality), default=0)
    return [bool(c.quality) and ranks[c.quality or "poor"] == top for c in node.choices]


def arrange_scenario(scenario: m.Scenario) -> tuple[m.Scenario, Moves]:
    """The scenario with each decision's choices in their seeded order."""
    keys = {node_id: f"choices/{scenario.id}/{node_id}" for node_id in scenario.nodes}
    best = {node_id: best_choices(node) for node_id, node in scenario.nodes.items()
            if isinstance(node, m.DecisionNode) and node.graded}
    mixed = [keys[node_id] for node_id, marks in best.items() if not all(marks)]
    chosen = firsts(mixed, forced=len(best) - len(mixed))
    nodes: dict[str, Any] = {}
    moves: Moves = []
    for node_id, node in scenario.nodes.items():
        if isinstance(node, m.DecisionNode):
            marks = best.get(node_id, [False] * len(node.choices))
            order = balanced_order(keys[node_id], marks, keys[node_id] in chosen)
            nodes[node_id] = node.model_copy(update={"choices": [node.choices[i] for i in order]})
            moves.append((("nodes", node_id, "choices"), order))
        else:
            nodes[node_id] = node
    return scenario.model_copy(update={"nodes": nodes}), moves


def arrange_quiz(quiz: m.Quiz) -> tuple[m.Quiz, Moves]:
    """The quiz with each single/multiple question's options in their seeded order."""
    keys = {index: f"options/{quiz.id}/{question.id}" for index, question in enumerate(quiz.questions)}
    correct = {index: [o.correct for o in question.options] for index, question in enumerate(quiz.questions)
               if isinstance(question, (m.SingleQuestion, m.MultipleQuestion))}
    mixed = [keys[index] for index, marks in correct.items() if any(marks) and not all(marks)]
    chosen = firsts(mixed, forced=sum(all(marks) for marks in correct.values()))
    questions: list[Any] = []
    moves: Moves = []
    for index, question in enumerate(quiz.questions):
        if isinstance(question, (m.SingleQuestion, m.MultipleQuestion)):
            order = balanced_order(keys[index], correct[index], keys[index] in chosen)
            questions.append(question.model_copy(update={"options": [question.options[i] for i in order]}))
            moves.append((("questions", index, "options"), order))
        else:
            questions.append(question)
    return quiz.model_copy(update={"questions": questions}), moves


def _renumber(loc: Loc, path: Loc, new_index: dict[int, int]) -> Loc:
    """`loc` with its index inside the list at `path` replaced by that entry's new position."""
    size = len(path)
    if len(loc) > size and loc[:size] == path:
        authored = loc[size]
        if isinstance(authored, int) and authored in new_index:
            return (*path, new_index[authored], *loc[size + 1:])
    return loc


def move_lines(lines: dict[Loc, int], blocks: frozenset[Loc], moves: Moves) -> tuple[dict[Loc, int], frozenset[Loc]]:
    """A file's line map (and block-scalar set) with each moved list's entries renumbered to the new order."""
    for path, order in moves:
        new_index = {authored: position for position, authored in enumerate(order)}
        lines = {_renumber(loc, path, new_index): line for loc, line in lines.items()}
        blocks = frozenset(_renumber(loc, path, new_index) for loc in blocks)
    return lines, blocks
