"""Preparing batches in worker processes while the ingest process writes.

Validation and row cutting take about as long as the SQLite inserts, and both hold the GIL, so
threads do not overlap them (measured: slower). Worker processes do: the ingest process reads
lines and writes batches, workers validate. Only plain data crosses between them — raw lines one
way, columns of strings and numbers back (:class:`~riskmon.store.batch.PreparedBatch`) — and
batches come back in file order, so duplicates and conflicts resolve exactly as in one process.

Workers are used for large JSONL files only, and only where a plain ``fork`` is safe (no other
threads running, e.g. not inside the scheduler): everything else is prepared in-process, by the
same :class:`~riskmon.ingest.prepare.Preparer`.

Workers die with the ingest process and hold nothing of its database (issue #9 item 8). A forked
worker starts with copies of every descriptor the ingest process had, its PostgreSQL sockets
included: if the ingest was killed (``kill -9``, the OOM killer), workers blocked on their task
queue lived on, and their copy of the socket kept the server from noticing the client had gone —
the killed ingest's transaction stayed open and the next ingest waited for its row locks forever.
So each worker, first thing, asks the kernel to SIGKILL it when its parent dies, checks the parent
has not died already (the race before that request), and closes the sockets it inherited (closing
a copy leaves the ingest's own connection untouched; the worker never talks to the database).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import stat
import sys
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from riskmon.errors import IngestError
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
    if source.is_csv:
        records = iter(source)
        while chunk := list(islice(records, batch_size)):
            yield preparer.prepare(source.source, chunk)
    elif workers < 2 or source.size < PARALLEL_MIN_BYTES or not fork_is_safe():
        for first, block in source.jsonl_blocks(batch_size):
            yield preparer.prepare_block(source.source, first, block)
    else:
        yield from _in_workers(source, preparer, batch_size, workers)


class WorkerLost(IngestError):
    """A worker process ended without an answer (killed, out of memory): the batches committed so
    far are kept, and the same command continues where it stopped."""

    def __init__(self, source: str) -> None:
        self.ja = (
            f"{source}: 検証用のワーカープロセスが応答なく終了しました（メモリ不足など）。"
            "確定済みのバッチは保存されています。再実行するか、--workers 1 で実行してください"
        )
        self.en = (
            f"{source}: a worker process ended without an answer (out of memory?); committed batches"
            " are kept. Run again, or with --workers 1"
        )
        super().__init__(self.ja, self.en)


def _in_workers(source: SourceFile, preparer: Preparer, batch_size: int, workers: int) -> Iterator[PreparedBatch]:
    fork = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_start_worker, initargs=(preparer, os.getpid()))
    pending: deque[Future[PreparedBatch]] = deque()
    try:
        for first, block in source.jsonl_blocks(batch_size):
            pending.append(pool.submit(_prepare, source.source, first, block))
            if len(pending) > 2 * workers:  # a bounded read-ahead keeps memory flat
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool as exc:
        raise WorkerLost(source.source) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(preparer: Preparer, parent: int) -> None:
    global _preparer
    _die_with(parent)
    _close_inherited_sockets()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the ingest process to handle
    _preparer = preparer


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with(parent: int) -> None:
    """Be killed when ``parent`` dies; if it died before this was asked, go now.

    Linux sends the signal when the thread that forked us ends: the pool forks from the ingest's
    only thread (workers are used only when no other thread runs), so that is the ingest itself."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # adopted by init or a subreaper: the ingest is gone
        os._exit(1)


def _close_inherited_sockets() -> None:
    """Close this worker's copies of the ingest's sockets (database connections).

    The worker talks to the ingest through pipes only, so every socket here is inherited. Closing
    a descriptor is not closing the connection: no goodbye is sent, the ingest's copy stays open."""
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except FileNotFoundError:  # no /proc (not Linux): the parent-death signal above is Linux-only too
        return
    for fd in fds:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:  # the descriptor of the listing itself, already closed
            continue


def _prepare(source: str, first: int, block: bytes) -> PreparedBatch:
    """In a worker: the block's batch, sent back as columns (its event objects stay here)."""
    assert _preparer is not None, "worker started without a preparer"
    return _preparer.prepare_block(source, first, block).without_events()
