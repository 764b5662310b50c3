"""Writing outputs: deterministic zips, and the all-or-nothing swap of a staged output set into outputs/."""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
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


# --- the all-or-nothing swap ----------------------------------------------------------------------
#
# outputs/ holds every output set in a hidden folder, and ONE symlink says which set is current:
#
#     outputs/.build-7/web/...      a complete set: every target, rebuilt or carried over (hard links)
#     outputs/.current -> .build-7  the switch: replaced by one rename(2), which is atomic
#     outputs/web -> .current/web   one stable link per target, made once, never changed
#     outputs/index.html -> .current/pack/index.html   a root target's files are linked one by one
#     outputs/.lock                 held (flock) by the build that writes here, and by its workers
#
# A build stages a new set in outputs/.build-<n>/, carries over the targets it did not rebuild, and only
# then renames a fresh link over .current. Whenever it stops (a content error, an internal error, kill -9,
# a full disk), a reader of outputs/web sees the old set or the new one, never a mix, and the next build
# removes every set that .current does not point to. Folders left by older coursekit versions (a real
# outputs/web, .web.tmp, .web.old) are adopted into a set first.

CURRENT = ".current"
BUILD_PREFIX = ".build-"
LOCK_FILE = ".lock"
TEMP_FOLDER = ".tmp"  # inside a staging set: temp files of the build's libraries, removed before the swap
KILL_ENV = "COURSEKIT_TEST_KILL_AT_STEP"  # tests: SIGKILL the build at the n-th step of the swap
_steps = 0


def swap_step(name: str) -> None:
    """A point where the swap may be cut short; the kill test stops the build here (step n of KILL_ENV)."""
    global _steps
    _steps += 1
    if os.environ.get(KILL_ENV) == str(_steps):
        import signal

        print(f"test hook: killed at swap step {_steps} ({name})", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


class OutputsInTheWay(Exception):
    """Something that is not coursekit's stands where an output goes (reported, nothing is changed)."""


def _link(path: Path, target: str) -> None:
    """Point the symlink `path` at `target`, atomically (a temporary link renamed over it)."""
    temporary = path.with_name(f"{path.name}.link-tmp")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, path)


def _ours(out: Path, name: str) -> bool:
    link = out / name
    return link.is_symlink() and os.readlink(link) == f"{CURRENT}/{name}"


def _wanted_links(output_set: Path, root: Collection[str]) -> dict[str, str]:
    """The links outputs/ needs for a set: one per target folder, one per file of a root target."""
    links: dict[str, str] = {}
    for entry in sorted(output_set.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        if entry.name in root:
            links.update({item.name: f"{CURRENT}/{entry.name}/{item.name}" for item in sorted(entry.iterdir())})
        else:
            links[entry.name] = f"{CURRENT}/{entry.name}"
    return links


def current_set(out: Path) -> Path | None:
    """The folder of the current output set, if there is one."""
    pointer = out / CURRENT
    if not pointer.is_symlink():
        return None
    target = out / os.readlink(pointer)
    return target if target.is_dir() else None


def check_outputs(out: Path, names: Sequence[str]) -> None:
    """Refuse, before anything is built, a plain file or a foreign symlink where a target's output goes."""
    for name in names:
        path = out / name
        if path.is_symlink() and not _ours(out, name):
            raise OutputsInTheWay(f"{path} is a link to {os.readlink(path)}, not coursekit's output folder: "
                                  "remove the link, or build into another folder with --out")
        if path.exists() and not path.is_symlink() and not path.is_dir():
            raise OutputsInTheWay(f"{path} is a file, not coursekit's output folder: move it away, or build "
                                  "into another folder with --out")


def _set_number(path: Path) -> int:
    suffix = path.name[len(BUILD_PREFIX):]
    return int(suffix) if suffix.isdigit() else 0


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def recover(out: Path, names: Sequence[str] = (), root: Collection[str] = ()) -> None:
    """Finish or undo whatever an interrupted build left: afterwards outputs/ holds exactly the current set."""
    if not out.is_dir():
        return
    for leftover in out.glob("*.link-tmp"):
        leftover.unlink()
    # Layout of older coursekit versions: a swap cut between its two renames, then staging folders.
    for old in out.glob(".*.old"):
        final = out / old.name[1:-4]
        if not final.exists() and not final.is_symlink():
            old.rename(final)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for staging in out.glob(".*.tmp"):
        _remove(staging)
    current = current_set(out)
    if current is None and (out / CURRENT).is_symlink():
        (out / CURRENT).unlink()  # points at nothing: there is no current set
    for stale in out.glob(BUILD_PREFIX + "*"):
        if current is None or stale.name != current.name:
            _remove(stale)
    legacy = [name for name in names if (out / name).is_dir() and not (out / name).is_symlink()]
    if legacy:
        if current is None:
            current = out / f"{BUILD_PREFIX}1"
            current.mkdir()
            _link(out / CURRENT, current.name)
        for name in legacy:
            if (current / name).exists():
                _remove(current / name)
            (out / name).rename(current / name)  # cut here: the link below is made by the next recover
            _link(out / name, f"{CURRENT}/{name}")
    if current is not None:
        for name, target in _wanted_links(current, root).items():
            link = out / name
            if not link.is_symlink() and not link.exists():
                _link(link, target)


def begin_set(out: Path, names: Sequence[str], known: Sequence[str] = (), root: Collection[str] = ()) -> Path:
    """Recover (adopting older folders of every `known` target), then create the empty staging set
    outputs/.build-<n>/ (n above every set there) for building `names`."""
    out.mkdir(parents=True, exist_ok=True)
    check_outputs(out, names)
    recover(out, sorted({*known, *names} - set(root)), root)
    current = current_set(out)
    number = (_set_number(current) if current else 0) + 1
    staging = out / f"{BUILD_PREFIX}{number}"
    _remove(staging)
    staging.mkdir()
    (staging / TEMP_FOLDER).mkdir()
    return staging


def stage_dir(staging_set: Path, name: str) -> Path:
    """A fresh, empty staging folder for target `name` inside the staging set."""
    folder = staging_set / name
    _remove(folder)
    folder.mkdir(parents=True)
    return folder


def _copy_or_link(source: str, target: str) -> None:
    try:
        os.link(source, target)  # outputs are written whole, never edited in place: sharing the inode is safe
    except OSError:
        shutil.copy2(source, target)


def carry_over(out: Path, staging_set: Path, rebuilt: Sequence[str]) -> None:
    """Bring every target of the current set that this build did not rebuild into the staging set."""
    current = current_set(out)
    if current is None:
        return
    for entry in sorted(current.iterdir()):
        if entry.name in rebuilt or entry.name.startswith(".") or not entry.is_dir():
            continue
        shutil.copytree(entry, staging_set / entry.name, symlinks=True, copy_function=_copy_or_link)
        swap_step(f"carried over {entry.name}")


def publish(out: Path, staging_set: Path, root: Collection[str] = ()) -> None:
    """Make the staging set the current one: one atomic rename; then remove the sets no longer current.
    `root` names targets whose files are linked at the root of outputs/ (the pack's index.html)."""
    _remove(staging_set / TEMP_FOLDER)
    swap_step("staged")
    for name, target in _wanted_links(staging_set, root).items():
        link = out / name
        if not (link.is_symlink() and os.readlink(link) == target):
            if link.is_dir() and not link.is_symlink():
                _remove(link)  # only a folder of an older layout, and recover() adopted those already
            _link(link, target)  # replaces an older layout's file (e.g. index.html) in one rename
            swap_step(f"linked {name}")
    _link(out / CURRENT, staging_set.name)  # THE swap
    swap_step("switched")
    for stale in out.glob(BUILD_PREFIX + "*"):
        if stale.name != staging_set.name:
            _remove(stale)
            swap_step(f"removed {stale.name}")


def discard(staging_set: Path) -> None:
    """Remove a failed build's staging set; the current set stays as it was."""
    shutil.rmtree(staging_set, ignore_errors=True)


@contextmanager
def build_lock(out: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold outputs/.lock for one build; a second build waits (telling `on_wait` once) until the first ends."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK_FILE, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            if on_wait:
                on_wait(f"another build (process {holder}) is writing to {out}: waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
