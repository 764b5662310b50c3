"""Identifiers the outputs derive from content ids (shared by validate and the targets)."""

from __future__ import annotations

import hashlib
import re


def interaction_id(prefix: str, *parts: str) -> str:
    """A SCORM interaction id: [A-Za-z0-9_] only, at most 64 characters, unique enough to read back."""
    raw = "_".join((prefix, *parts))
    clean = re.sub(r"[^A-Za-z0-9_]", "_", raw)
    if len(clean) > 64:
        digest = hashlib.sha1(raw.encode("utf-8")).hexdigest()[:8]
        clean = clean[:55] + "_" + digest
    return clean
