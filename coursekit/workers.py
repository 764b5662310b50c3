"""Worker processes that never outlive the build that started them."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (kill -9 included); exit if it is gone already."""
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init(parent: int, temp: str | None) -> None:
    die_with_parent(parent)
    if temp:
        # Libraries' temporary files (WeasyPrint's font folders, LibreOffice profiles) go into the build's
        # staging set, which the swap or the next build removes even after a kill -9.
        os.environ["TMPDIR"] = temp
        tempfile.tempdir = temp


def worker_pool(jobs: int, temp: str | None = None) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process and keep their temporary files in `temp`."""
    return ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(os.getpid(), temp or tempfile.tempdir))
