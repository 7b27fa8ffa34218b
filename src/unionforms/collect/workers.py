"""Run one task per item in long-lived worker processes, each item under a time and memory budget.

A bulk run reads thousands of files, and a hostile one may spin a parser or grow memory without end.
Forking a process per file bounds it but costs more than reading the file; so each worker is forked
once and reads item after item. Before each item it lowers its address-space limit (``RLIMIT_AS``) to
what it already uses plus the memory budget, so that an allocation past it fails (``MemoryError``),
and arms an interval timer whose signal raises :class:`OverTime` inside the read. The parent is the
backstop: a worker that has not answered shortly after the time budget (stuck in C code, where the
signal cannot reach) is killed, and a worker that dies (a crash, the OOM killer) is replaced. Either
way the item in flight becomes IN-092 (time) or IN-093 (memory) for that file alone, and a worker
that hit a budget is replaced too, so that nothing half-done carries over to the next file.

:func:`imap` runs the items and yields each one's value, or its
:class:`~unionforms.core.errors.UnionformsError`, in input order as soon as it is ready. The task and the
items are inherited by the workers (nothing to pickle: a lambda will do); only values come back pickled.

Where ``fork`` is missing (Windows), the workers are started with ``spawn`` (:mod:`multiprocessing`): the
task is pickled once per worker, each item as it is sent. The time budget holds there too: a watchdog
thread raises :class:`OverTime` in the item's thread (``PyThreadState_SetAsyncExc``, where there is no
``SIGALRM``), and the parent, as everywhere, ends a worker that does not answer. The memory budget holds
where ``resource`` exists (not on Windows). A single item, or a task that cannot be pickled, runs in this
process under the watchdog alone (Python code is stopped at its budget, code stuck in C is not).
``docs/platforms.md`` says which guarantee holds where.
"""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, Generic, TypeVar

import attrs

from unionforms.core.errors import InputError, UnionformsError

#: Seconds one file may take in a bulk run (a real file takes a few milliseconds).
BUDGET_SECONDS = 30
#: Memory one file may take in a bulk run, above what its worker already uses.
BUDGET_MEMORY = 1024 * 1024 * 1024
#: Items sent ahead to each worker, so that it never waits for the parent.
_AHEAD = 2
#: Items that may be done ahead of the first one not yet yielded (bounds what is held for ordering).
_WINDOW = 256

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class Budget:
    """How long (seconds, wall clock) and how much memory (bytes over its worker's own) an item may take."""

    seconds: float = attrs.field(default=BUDGET_SECONDS, validator=attrs.validators.gt(0))
    memory: int = attrs.field(default=BUDGET_MEMORY, validator=attrs.validators.gt(0))

    @property
    def grace(self) -> float:
        """How long after the budget the parent waits for the worker's own timer before killing it."""
        return 2 + self.seconds / 10


@attrs.frozen
class Usage:
    """What an item cost: wall-clock seconds, and its worker's peak resident memory in bytes so far."""

    seconds: float
    peak_memory: int


class OverTime(BaseException):
    """Raised inside an item's task when its time budget runs out (not an ``Exception``: no reader's
    ``except Exception`` may swallow it)."""


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def over_time(file: str, budget: Budget) -> InputError:
    return InputError("IN-092", seconds=f"{budget.seconds:g}", file=file)


def over_memory(file: str, budget: Budget, how: str) -> InputError:
    return InputError("IN-093", memory=_mib(budget.memory), how=how, file=file)


def imap(
    task: Callable[[T], R],
    items: Sequence[T],
    *,
    label: Callable[[T], str],
    jobs: int = 1,
    budget: Budget | None = None,
    usage: list[Usage] | None = None,
) -> Generator[R | UnionformsError, None, None]:
    """``task(item)`` for every item, in ``jobs`` worker processes, yielded in input order.

    An item whose task raises a UnionformsError yields it; one past its budget yields IN-092 or IN-093,
    one whose task raises anything else IN-094, each naming the file ``label(item)``. ``usage``, when
    given, receives one :class:`Usage` per item, in input order.
    """
    budget = budget or Budget()
    if not items:
        return
    jobs = max(1, min(jobs, len(items)))
    if hasattr(os, "fork"):
        yield from _Pool(task, items, label, jobs, budget, usage).results()
        return
    sent = _pickled(task) if len(items) > 1 else None
    if sent is None:
        yield from _in_process(task, items, label, budget, usage)
        return
    yield from _SpawnPool(task, items, label, jobs, budget, usage, sent).results()


def _pickled(task: object) -> bytes | None:
    """``task`` as it travels to a spawned worker, or None when it cannot (a lambda, a closure)."""
    try:
        return pickle.dumps(task, pickle.HIGHEST_PROTOCOL)
    except Exception:
        return None


def _in_process(
    task: Callable[[T], R],
    items: Sequence[T],
    label: Callable[[T], str],
    budget: Budget,
    usage: list[Usage] | None,
) -> Iterator[R | UnionformsError]:
    """Each item in this process, under the watchdog's time budget (no memory budget, no backstop)."""
    timer = _Timer()
    for item in items:
        started = time.monotonic()
        kind, value = timer.run(task, item, budget.seconds)
        if usage is not None:
            usage.append(Usage(time.monotonic() - started, _peak_memory()))
        yield _settle(kind, value, label(item), budget)


# --- in the worker --------------------------------------------------------------------------------

_armed = False


def _alarm(signum: int, frame: object) -> None:
    global _armed
    if _armed:
        _armed = False
        raise OverTime


class _Timer:
    """Raises :class:`OverTime` in this thread when an item's time runs out: by ``SIGALRM`` where the
    platform has interval timers, else from a watchdog thread (``PyThreadState_SetAsyncExc``), which
    stops Python code but not a call stuck in C (the parent's kill is the backstop for that)."""

    def __init__(self) -> None:
        self.signals = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
        self.thread = threading.get_ident()
        self.lock = threading.Lock()
        self.watch: threading.Timer | None = None
        self.fired = False
        if self.signals:
            signal.signal(signal.SIGALRM, _alarm)

    def run(self, task: Callable[[T], R], item: T, seconds: float) -> tuple[str, object]:
        """``_outcome(task, item)``, or ("time", None) past ``seconds``."""
        try:
            self._arm(seconds)
            try:
                return _outcome(task, item)
            finally:
                self._disarm()
        except OverTime:
            return "time", None

    def _arm(self, seconds: float) -> None:
        global _armed
        _armed = True
        if self.signals:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return
        self.fired = False
        self.watch = threading.Timer(seconds, self._fire)
        self.watch.daemon = True
        self.watch.start()

    def _disarm(self) -> None:
        global _armed
        if self.signals:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _armed = False
            return
        with self.lock:
            _armed = False
            if self.fired:  # raised at the very end: not delivered yet, it must never be
                _raise_in(self.thread, None)
        if self.watch is not None:
            self.watch.cancel()

    def _fire(self) -> None:
        global _armed
        with self.lock:
            if _armed:
                _armed = False
                self.fired = True
                _raise_in(self.thread, OverTime)


def _raise_in(thread: int, exc: type[BaseException] | None) -> None:
    """Have ``exc`` raised in ``thread`` at its next Python instruction (CPython's async exception); None
    takes back one not raised yet."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread), None if exc is None else ctypes.py_object(exc)
    )


def _outcome(task: Callable[[T], R], item: T) -> tuple[str, object]:
    """What ``task(item)`` gave, as (kind, value): never an exception but :class:`OverTime`."""
    try:
        return "ok", task(item)
    except UnionformsError as exc:
        return "error", exc
    except (MemoryError, RecursionError) as exc:
        return "memory", type(exc).__name__
    except Exception as exc:
        return "internal", f"{type(exc).__name__}: {exc}"


def _serve(
    task: Callable[[Any], object],
    receive: Callable[[], tuple[int, object] | None],
    answer: Callable[[bytes], None],
    budget: Budget,
) -> None:
    """The worker's loop: take an item (its number and itself), answer (seq, kind, value, cost), until
    the parent closes the pipe; after a budget hit or a surprise, answer an empty frame and stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    timer = _Timer()
    memory = _MemoryLimit()
    while True:
        got = receive()
        if got is None:
            return
        seq, item = got
        started = time.monotonic()
        memory.lower(budget.memory)
        kind, value = timer.run(task, item, budget.seconds)
        memory.restore()
        cost = (time.monotonic() - started, memory.peak())
        try:
            data = pickle.dumps((seq, kind, value, cost), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            kind = "internal"
            data = pickle.dumps((seq, kind, f"{type(exc).__name__}: {exc}", cost))
        answer(data)
        if kind not in ("ok", "error"):  # a budget hit or a surprise: start afresh
            answer(b"")
            return


def _peak_memory() -> int:
    """This process's peak resident memory in bytes, 0 where the platform does not say (Windows)."""
    try:
        import resource
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _MemoryLimit:
    """The address-space limit (``RLIMIT_AS``) lowered to what the worker uses plus the budget for each
    item, and put back after it; nothing where the platform has no ``resource`` module (Windows)."""

    def __init__(self) -> None:
        try:
            import resource
        except ImportError:
            self.limits: tuple[int, int] | None = None
            return
        self.resource = resource
        self.limits = resource.getrlimit(resource.RLIMIT_AS)
        self.infinity = resource.RLIM_INFINITY
        self.address_space = _AddressSpace()

    def peak(self) -> int:
        """This process's peak resident memory in bytes, 0 where the platform does not say."""
        if self.limits is None:
            return 0
        return self.resource.getrusage(self.resource.RUSAGE_SELF).ru_maxrss * 1024

    def lower(self, budget: int) -> None:
        if self.limits is None:
            return
        resource = self.resource
        hard = self.limits[1]
        used = self.address_space()
        if used:
            limit = used + budget
            if hard != self.infinity:
                limit = min(limit, hard)
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

    def restore(self) -> None:
        if self.limits is None:
            return
        with contextlib.suppress(ValueError, OSError):
            self.resource.setrlimit(self.resource.RLIMIT_AS, self.limits)


def _forked(
    task: Callable[[Any], object],
    items: Sequence[object],
    tasks: int,
    results: int,
    budget: Budget,
    parent: int,
) -> None:
    """A forked worker: items by number from the inherited list, through raw pipes."""
    _die_with_parent(parent)
    reader = _Frames(tasks)

    def receive() -> tuple[int, object] | None:
        frame = reader.next_blocking()
        if frame is None:
            return None
        (seq,) = _HEADER.unpack(frame)
        return seq, items[seq]

    _serve(task, receive, lambda data: _write_frame(results, data), budget)


def _spawned(conn: Any, task: bytes, budget: Budget) -> None:
    """A spawned worker (no ``fork``): the task unpickled once, each item sent pickled with its number."""

    def receive() -> tuple[int, object] | None:
        try:
            got: tuple[int, object] = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return None
        return got

    _serve(pickle.loads(task), receive, conn.send_bytes, budget)


def _die_with_parent(parent: int) -> None:
    """Be killed when the parent dies (Linux ``PR_SET_PDEATHSIG``): a run that is killed stops writing."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that took hold  # pragma: no cover - a race
        os._exit(1)


class _AddressSpace:
    """This process's virtual memory size in bytes (what RLIMIT_AS counts), read from ``/proc`` through
    a descriptor kept open (a few microseconds a file); 0 where it cannot be known."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        try:
            self.fd: int | None = os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:  # pragma: no cover - not Linux
            self.fd = None

    def __call__(self) -> int:
        if self.fd is None:  # pragma: no cover - not Linux
            return 0
        try:
            return int(os.pread(self.fd, 64, 0).split()[0]) * self.page
        except (OSError, ValueError, IndexError):  # pragma: no cover
            return 0


# --- framing: a 4-byte length, then the bytes (an empty frame: the worker retires) ----------------

_HEADER = struct.Struct(">I")


def _write_frame(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


class _Frames:
    """Frames read from a pipe: all at once (blocking) in a worker, as they come in the parent."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.closed = False

    def next_blocking(self) -> bytes | None:
        while True:
            frame = self.pop()
            if frame is not None or self.closed:
                return frame
            self.fill()

    def fill(self) -> None:
        """Read what the pipe has (at least one byte, or the end)."""
        chunk = os.read(self.fd, 1 << 16)
        if chunk:
            self.buffer += chunk
        else:
            self.closed = True

    def pop(self) -> bytes | None:
        if len(self.buffer) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(self.buffer)
        end = _HEADER.size + size
        if len(self.buffer) < end:
            return None
        frame = bytes(self.buffer[_HEADER.size : end])
        del self.buffer[:end]
        return frame


# --- in the parent --------------------------------------------------------------------------------


@attrs.define
class _Worker:
    pid: int
    tasks: Any  # the write end: a pipe (forked) or a Connection (spawned)
    results: _Frames | _Messages
    queue: collections.deque[tuple[int, float]] = attrs.Factory(collections.deque)  # (seq, sent at)
    since: float = 0.0  # when the last answer came
    retired: bool = False

    def deadline(self, budget: Budget) -> float:
        _, sent = self.queue[0]
        return max(sent, self.since) + budget.seconds + budget.grace


class _Pool(Generic[T, R]):
    def __init__(
        self,
        task: Callable[[T], R],
        items: Sequence[T],
        label: Callable[[T], str],
        jobs: int,
        budget: Budget,
        usage: list[Usage] | None,
    ) -> None:
        self.task = task
        self.items = items
        self.label = label
        self.jobs = jobs
        self.budget = budget
        self.usage = usage
        self.workers: list[_Worker] = []
        self.pending: collections.deque[int] = collections.deque(range(len(items)))
        self.done: dict[int, tuple[R | UnionformsError, Usage]] = {}

    def results(self) -> Iterator[R | UnionformsError]:
        try:
            for seq in range(len(self.items)):
                while seq not in self.done:
                    self._dispatch(seq)
                    self._wait()
                value, cost = self.done.pop(seq)
                if self.usage is not None:
                    self.usage.append(cost)
                yield value
        finally:
            self._close()

    # sending

    def _dispatch(self, first: int) -> None:
        while self.pending and self.pending[0] < first + _WINDOW:
            worker = self._free()
            if worker is None:
                return
            seq = self.pending.popleft()
            try:
                sent = self._send(worker, seq)
            except OSError:  # it died meanwhile: found by _wait
                self.pending.appendleft(seq)
                worker.retired = True
                return
            if sent:
                worker.queue.append((seq, time.monotonic()))

    def _free(self) -> _Worker | None:
        live = [w for w in self.workers if not w.retired]
        if len(live) < self.jobs:
            return self._spawn()
        best = min(live, key=lambda w: len(w.queue))
        return best if len(best.queue) < _AHEAD else None

    def _send(self, worker: _Worker, seq: int) -> bool:
        """Send item ``seq`` to ``worker``; False when it was settled here instead."""
        _write_frame(worker.tasks, _HEADER.pack(seq))
        return True

    def _spawn(self) -> _Worker:
        task_r, task_w = os.pipe()
        result_r, result_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            code = 0
            try:
                os.close(task_w)
                os.close(result_r)
                for other in self.workers:  # so that each worker sees its own pipe close
                    with contextlib.suppress(OSError):
                        os.close(other.tasks)
                        os.close(other.results.fd)
                _forked(self.task, self.items, task_r, result_w, self.budget, parent)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(task_r)
        os.close(result_w)
        worker = _Worker(pid, task_w, _Frames(result_r), since=time.monotonic())
        self.workers.append(worker)
        return worker

    # receiving

    def _wait(self) -> None:
        busy = [w for w in self.workers if w.queue]
        if not busy:
            return
        now = time.monotonic()
        timeout = max(0.0, min(w.deadline(self.budget) for w in busy) - now)
        for worker in self._ready(busy, timeout):
            worker.results.fill()
            self._answers(worker)
        now = time.monotonic()
        for worker in [w for w in self.workers if w.queue and now > w.deadline(self.budget)]:
            self._kill(worker)
            seq, _ = worker.queue.popleft()
            self._fail(seq, over_time(self.label(self.items[seq]), self.budget), now - worker.since)
            self._end(worker)

    def _answers(self, worker: _Worker) -> None:
        while (frame := worker.results.pop()) is not None:
            if not frame:  # it retires: what was sent ahead goes to another worker
                self._end(worker)
                return
            seq, kind, value, (seconds, peak) = pickle.loads(frame)
            worker.queue.popleft()
            worker.since = time.monotonic()
            self.done[seq] = (
                _settle(kind, value, self.label(self.items[seq]), self.budget),
                Usage(seconds, peak),
            )
        if worker.results.closed:  # it died with an item in hand
            how = self._exit(worker)
            if worker.queue:
                seq, _ = worker.queue.popleft()
                error = over_memory(self.label(self.items[seq]), self.budget, how)
                self._fail(seq, error, time.monotonic() - worker.since)
            self._end(worker)

    def _fail(self, seq: int, error: UnionformsError, seconds: float) -> None:
        self.done[seq] = (error, Usage(seconds, 0))

    def _end(self, worker: _Worker) -> None:
        """Take ``worker`` out of the pool; what it was sent and did not answer is sent again."""
        for seq, _ in reversed(worker.queue):
            self.pending.appendleft(seq)
        worker.queue.clear()
        self._reap(worker)
        self.workers.remove(worker)

    def _ready(self, busy: list[_Worker], timeout: float) -> list[_Worker]:
        """The workers among ``busy`` that have something to read, waiting at most ``timeout``."""
        ready, _, _ = select.select([w.results.fd for w in busy], [], [], timeout)
        return [w for w in busy if w.results.fd in ready]

    def _kill(self, worker: _Worker) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)

    def _exit(self, worker: _Worker) -> str:
        """How a worker whose pipe closed ended ("signal 9", "exit 1"), once it has."""
        _, status = os.waitpid(worker.pid, 0)
        worker.pid = 0
        code = os.waitstatus_to_exitcode(status)
        return f"signal {-code}" if os.WIFSIGNALED(status) else f"exit {code}"

    def _reap(self, worker: _Worker) -> None:
        for fd in (worker.tasks, worker.results.fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        if worker.pid:  # killed, or retiring: it ends at once
            with contextlib.suppress(ChildProcessError):
                os.waitpid(worker.pid, 0)
            worker.pid = 0

    def _close(self) -> None:
        for worker in self.workers:  # idle ones exit when their pipe closes; busy ones are killed
            with contextlib.suppress(OSError):
                os.close(worker.tasks)
        for worker in self.workers:
            if worker.queue:
                self._kill(worker)
            with contextlib.suppress(OSError):
                os.close(worker.results.fd)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(worker.pid, 0)
        self.workers.clear()


class _Messages:
    """Frames from a spawned worker's connection, as :class:`_Frames` gives them from a pipe."""

    def __init__(self, conn: Any) -> None:
        self.fd = conn
        self.frames: collections.deque[bytes] = collections.deque()
        self.closed = False

    def fill(self) -> None:
        try:
            self.frames.append(self.fd.recv_bytes())
        except (EOFError, OSError):
            self.closed = True

    def pop(self) -> bytes | None:
        return self.frames.popleft() if self.frames else None


class _SpawnPool(_Pool[T, R]):
    """The pool where ``fork`` is missing: workers started fresh (``spawn``), talking through
    :mod:`multiprocessing` connections, ended with ``terminate`` (TerminateProcess on Windows)."""

    def __init__(
        self,
        task: Callable[[T], R],
        items: Sequence[T],
        label: Callable[[T], str],
        jobs: int,
        budget: Budget,
        usage: list[Usage] | None,
        sent: bytes,
    ) -> None:
        super().__init__(task, items, label, jobs, budget, usage)
        self.sent = sent
        self.processes: dict[int, Any] = {}

    def _send(self, worker: _Worker, seq: int) -> bool:
        try:
            data = pickle.dumps((seq, self.items[seq]), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an item that cannot travel is that item's failure, not the run's
            problem = f"{type(exc).__name__}: {exc}"
            self._fail(seq, _settle("internal", problem, self.label(self.items[seq]), self.budget), 0)
            return False
        worker.tasks.send_bytes(data)
        return True

    def _spawn(self) -> _Worker:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=_spawned, args=(theirs, self.sent, self.budget), daemon=True)
        sys.stdout.flush()
        sys.stderr.flush()
        process.start()
        theirs.close()
        assert process.pid is not None
        self.processes[process.pid] = process
        worker = _Worker(process.pid, ours, _Messages(ours), since=time.monotonic())
        self.workers.append(worker)
        return worker

    def _ready(self, busy: list[_Worker], timeout: float) -> list[_Worker]:
        from multiprocessing.connection import wait

        ready = wait([w.results.fd for w in busy], timeout)
        return [w for w in busy if w.results.fd in ready]

    def _kill(self, worker: _Worker) -> None:
        process = self.processes.get(worker.pid)
        if process is not None:
            process.terminate()

    def _exit(self, worker: _Worker) -> str:
        process = self.processes.pop(worker.pid)
        process.join()
        worker.pid = 0
        code = process.exitcode or 0
        return f"signal {-code}" if code < 0 else f"exit {code}"

    def _reap(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.tasks.close()
        process = self.processes.pop(worker.pid, None)
        if process is not None:
            process.join()
        worker.pid = 0

    def _close(self) -> None:
        for worker in self.workers:
            if worker.queue:
                self._kill(worker)
            with contextlib.suppress(OSError):
                worker.tasks.close()
        for process in self.processes.values():
            process.join()
        self.processes.clear()
        self.workers.clear()


def _settle(kind: str, value: object, file: str, budget: Budget) -> Any:
    """The value of an item's outcome, or the UnionformsError that stands for it."""
    if kind == "ok":
        return value
    if kind == "error":
        return value
    if kind == "time":
        return over_time(file, budget)
    if kind == "memory":
        return over_memory(file, budget, str(value))
    return InputError("IN-094", detail=str(value), file=file)
