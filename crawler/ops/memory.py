"""Give freed memory back to the system: glibc's mmap threshold, fixed.

glibc serves allocations above its mmap threshold (128 KiB at start) with their own
mappings, unmapped when freed; but each such free raises the threshold, up to 32 MB,
and from then on big buffers come from the heap, which keeps their pages after they
are freed. A crawl frees many: pages of 280 KB, their decoded text, MongoDB batches.
Fixing the threshold (mallopt, which also stops it from moving) kept a crawl of
10,000 articles at 335 MB instead of 384 (bench/throughput.py).
"""

from __future__ import annotations

import ctypes
import os
import sys

# mallopt's parameter number for the threshold (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3


def fix_mmap_threshold(threshold: int) -> bool:
    """Fixes the mmap threshold at ``threshold`` bytes in this process (mallopt) and in
    the processes it starts (MALLOC_MMAP_THRESHOLD_). False where there is no glibc,
    or ``threshold`` is 0 (glibc's own behaviour kept)."""
    if threshold <= 0 or not sys.platform.startswith("linux"):
        return False
    try:
        fixed = ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, threshold) == 1
    except (OSError, AttributeError):  # musl and other C libraries
        return False
    if fixed:
        os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(threshold))
    return fixed
