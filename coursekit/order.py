"""One seeded order per key: the same list order in every output, for every build (no per-output shuffles)."""

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
