"""Writing outputs: staging folders swapped in only on success, and deterministic zips."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

# Zip timestamps cannot be earlier than 1980-01-01.
_ZIP_EPOCH = 315532800


def source_date_epoch() -> int:
    """The fixed timestamp for archive entries (SOURCE_DATE_EPOCH, else 1980-01-01)."""
    try:
        return max(_ZIP_EPOCH, int(os.environ.get("SOURCE_DATE_EPOCH", _ZIP_EPOCH)))
    except ValueError:
        return _ZIP_EPOCH


def zip_folder(folder: Path, archive: Path) -> Path:
    """Zip every file under `folder` into `archive`, sorted, with fixed timestamps and modes."""
    import time

    stamp = time.gmtime(source_date_epoch())[:6]
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the build machine is
            bundle.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return archive


def stage_dir(out: Path, name: str) -> Path:
    """A fresh, empty staging folder for target `name` inside `out`."""
    staging = out / f".{name}.tmp"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def swap_in(out: Path, name: str) -> Path:
    """Replace out/<name> with its staging folder: old → .old, staging → final, delete old."""
    staging, final, old = out / f".{name}.tmp", out / name, out / f".{name}.old"
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    if old.exists():
        shutil.rmtree(old)
    return final


def swap_in_root(out: Path, name: str) -> list[Path]:
    """Move a root target's staged files (e.g. the pack's index.html) to the root of `out`, one atomic
    rename each, then drop its staging folder."""
    staging = out / f".{name}.tmp"
    moved = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        final = out / path.relative_to(staging)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, final)
        moved.append(final)
    shutil.rmtree(staging, ignore_errors=True)
    return moved


def discard_staging(out: Path, name: str) -> None:
    """Remove a failed target's staging folder; the previous output stays as it was."""
    staging = out / f".{name}.tmp"
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)


def recover(out: Path) -> None:
    """Undo a swap interrupted between its two renames (final missing, .old present)."""
    if not out.is_dir():
        return
    for old in out.glob(".*.old"):
        final = out / old.name[1:-4]
        if not final.exists():
            old.rename(final)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for staging in out.glob(".*.tmp"):
        shutil.rmtree(staging, ignore_errors=True)
