"""One seeded order per key: the same list order in every output, for every build (no per-output shuffles).

Single/multiple options and story choices are put in their seeded order once, in the validated course
(coursekit/arrange.py). Ordering items and matching answers stay authored in the model (the authored order
is the answer); every output shows them in `presented` order, the same in the module, on paper, on slides
and in every quiz bank.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def seeded_order(key: str, items: Sequence[T]) -> list[T]:
    """`items` in an order fixed by `key` alone (SHA-256 seeded): stable across builds, machines and outputs."""
    order = list(items)
    random.Random(int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")).shuffle(order)
    return order


def scrambled(key: str, items: Sequence[T]) -> list[T]:
    """`seeded_order`, but never the authored order when there are two or more items (it would give the
    answer away)."""
    order = seeded_order(key, range(len(items)))
    if len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return [items[index] for index in order]


def question_key(quiz_id: str, question_id: str) -> str:
    """The key of a question's seeded order."""
    return f"{quiz_id}/{question_id}"


def presented(quiz_id: str, question_id: str, items: Sequence[T]) -> list[T]:
    """An ordering question's items or a matching question's answers as every output shows them."""
    return scrambled(question_key(quiz_id, question_id), items)
