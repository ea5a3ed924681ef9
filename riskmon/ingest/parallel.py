"""Preparing batches in worker processes while the ingest process writes.

Validation and row cutting take about as long as the SQLite inserts, and both hold the GIL, so
threads do not overlap them (measured: slower). Worker processes do: the ingest process reads
lines and writes batches, workers validate. Only plain data crosses between them — raw lines one
way, columns of strings and numbers back (:class:`~riskmon.store.batch.PreparedBatch`) — and
batches come back in file order, so duplicates and conflicts resolve exactly as in one process.

Workers are used for large JSONL files only, and only where a plain ``fork`` is safe (no other
threads running, e.g. not inside the scheduler): everything else is prepared in-process, by the
same :class:`~riskmon.ingest.prepare.Preparer`.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator
from itertools import islice

from riskmon.ingest.prepare import Preparer
from riskmon.ingest.readers import SourceFile
from riskmon.store.batch import PreparedBatch

#: Smaller files are prepared in-process: starting workers costs more than they would save.
PARALLEL_MIN_BYTES = 16 * 1024 * 1024

_preparer: Preparer | None = None  # in a worker process: the preparer it was started with


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fork_is_safe() -> bool:
    """``fork`` copies only the calling thread: with others running, a lock they hold is lost."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def batches(source: SourceFile, preparer: Preparer, batch_size: int, workers: int) -> Iterator[PreparedBatch]:
    """The file's records as prepared batches of ``batch_size``, in file order."""
    if ".csv" in source.path.name.lower():
        records = iter(source)
        while chunk := list(islice(records, batch_size)):
            yield preparer.prepare(source.source, chunk)
    elif workers < 2 or source.size < PARALLEL_MIN_BYTES or not fork_is_safe():
        for first, block in source.jsonl_blocks(batch_size):
            yield preparer.prepare_block(source.source, first, block)
    else:
        yield from _in_workers(source, preparer, batch_size, workers)


def _in_workers(source: SourceFile, preparer: Preparer, batch_size: int, workers: int) -> Iterator[PreparedBatch]:
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(preparer,)) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[PreparedBatch]] = deque()
        for first, block in source.jsonl_blocks(batch_size):
            pending.append(pool.apply_async(_prepare, (source.source, first, block)))
            if len(pending) > 2 * workers:  # a bounded read-ahead keeps memory flat
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _start_worker(preparer: Preparer) -> None:
    global _preparer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the ingest process to handle
    _preparer = preparer


def _prepare(source: str, first: int, block: bytes) -> PreparedBatch:
    """In a worker: the block's batch, sent back as columns (its event objects stay here)."""
    assert _preparer is not None, "worker started without a preparer"
    return _preparer.prepare_block(source, first, block).without_events()
