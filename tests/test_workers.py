"""Items run in long-lived workers, each under a time and memory budget; whatever an item does, the run
goes on, every item gets its value or its coded error, in input order."""

from __future__ import annotations

import ctypes
import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from unionforms.collect import workers
from unionforms.core.errors import InputError, UnionformsError

SHORT = workers.Budget(seconds=0.5, memory=64 << 20)

T = TypeVar("T")


def bounded(
    fn: Callable[[], T],
    *,
    file: str,
    budget: workers.Budget | None = None,
    usage: list[workers.Usage] | None = None,
) -> T:
    """``fn()`` run in one worker under ``budget`` through :func:`workers.imap`: its value, or its error
    raised here (IN-092 past the time, IN-093 past the memory or the worker's death, IN-094 the rest)."""
    (outcome,) = workers.imap(_call, [fn], label=lambda _: file, budget=budget, usage=usage)
    if isinstance(outcome, UnionformsError):
        raise outcome
    return outcome


def _call(fn: Callable[[], T]) -> T:
    return fn()


def test_bounded_returns_the_result_and_measures_it() -> None:
    usage: list[workers.Usage] = []
    assert bounded(lambda: ("ok", 42), file="f", usage=usage) == ("ok", 42)
    assert len(usage) == 1 and usage[0].peak_memory > 0


def test_bounded_passes_our_errors_through_with_their_location() -> None:
    def fail() -> None:
        raise InputError("IN-029", ref="B2", index=7, detail="raw", file="a.json", cell="B2")

    with pytest.raises(InputError) as info:
        bounded(fail, file="a.json")
    assert (info.value.code, info.value.file, info.value.cell, info.value.detail) == (
        "IN-029",
        "a.json",
        "B2",
        "raw",
    )
    assert str(info.value).startswith("[文件 a.json，单元格 B2] IN-029 工作簿已损坏：单元格 B2 引用")


def test_bounded_stops_a_read_past_its_time() -> None:
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        bounded(lambda: time.sleep(30), file="slow.xlsx", budget=workers.Budget(seconds=0.3))
    assert info.value.code == "IN-092" and info.value.file == "slow.xlsx"
    assert "0.3 秒" in info.value.message
    assert time.monotonic() - started < 10  # stopped, not waited for


def test_bounded_stops_a_read_past_its_memory() -> None:
    with pytest.raises(InputError) as info:
        bounded(lambda: bytearray(512 * 1024 * 1024), file="big", budget=SHORT)
    assert info.value.code == "IN-093"
    assert "64 MiB" in info.value.message and "MemoryError" in info.value.message


def test_bounded_turns_a_crash_into_a_coded_error() -> None:
    with pytest.raises(InputError) as info:
        bounded(lambda: 1 // 0, file="z.json")
    assert info.value.code == "IN-094"
    assert "ZeroDivisionError" in (info.value.detail or "") and "ZeroDivision" not in str(info.value)
    with pytest.raises(InputError) as info:
        bounded(lambda: os.kill(os.getpid(), 9), file="k.json")
    assert info.value.code == "IN-093"
    assert "signal 9" in info.value.message


# --- many items -----------------------------------------------------------------------------------


def _deaf_sleep() -> None:
    """Sleep where the worker's timer cannot reach (its signal blocked), as a parser stuck in C code."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(30)


def _segfault() -> None:
    faulthandler.disable()  # pytest's handler would print the crash; the run must just go on
    ctypes.string_at(0)


def _raise(exc: Exception) -> None:
    raise exc


#: What each hostile item does, and the code it must end with.
HOSTILE: dict[str, tuple[Callable[[], object], str]] = {
    "slow": (lambda: time.sleep(30), "IN-092"),
    "deaf": (_deaf_sleep, "IN-092"),
    "greedy": (lambda: bytearray(512 * 1024 * 1024), "IN-093"),
    "killed": (lambda: os.kill(os.getpid(), signal.SIGKILL), "IN-093"),
    "segfault": (_segfault, "IN-093"),
    "deep": (lambda: _recurse(0), "IN-093"),
    "surprise": (lambda: int("x"), "IN-094"),
    "ours": (lambda: _raise(InputError("IN-001", file="ours.xlsx")), "IN-001"),
}


def _recurse(n: int) -> int:
    return _recurse(n + 1) + 1


def _task(name: str) -> tuple[str, int]:
    if name in HOSTILE:
        HOSTILE[name][0]()
    return name, os.getpid()


def _names(n: int) -> list[str]:
    names = [f"good{i}" for i in range(n)]
    for i, bad in enumerate(HOSTILE):
        names.insert(3 + 4 * i, bad)
    return names


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_item_gets_its_value_or_its_code_in_order(jobs: int) -> None:
    names = _names(40)
    out = list(workers.imap(_task, names, label=lambda n: f"{n}.xlsx", jobs=jobs, budget=SHORT))
    assert len(out) == len(names)
    for name, got in zip(names, out, strict=True):
        if name in HOSTILE:
            assert isinstance(got, UnionformsError), (name, got)
            assert (got.code, got.file) == (HOSTILE[name][1], f"{name}.xlsx")
        else:
            assert not isinstance(got, BaseException) and got[0] == name
    pids = {got[1] for got in out if not isinstance(got, BaseException)}
    assert os.getpid() not in pids  # read in workers, never in this process
    # long-lived: far fewer workers than items, one more for each item that cost its worker its life
    assert len(pids) <= jobs + len(HOSTILE)


def test_a_worker_reads_many_files_and_is_replaced_after_a_budget_hit() -> None:
    names = ["a", "b", "c", "slow", "d", "e"]
    out = list(workers.imap(_task, names, label=str, budget=SHORT))
    pid = {name: got[1] for name, got in zip(names, out, strict=True) if not isinstance(got, BaseException)}
    assert pid["a"] == pid["b"] == pid["c"]
    assert pid["d"] == pid["e"] != pid["a"]


def test_a_run_stopped_early_leaves_no_worker_behind() -> None:
    names = [f"good{i}" for i in range(50)]
    run = workers.imap(_task, names, label=str, jobs=2)
    first = next(run)
    assert not isinstance(first, BaseException)
    run.close()  # e.g. the reader of --json went away
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every worker was waited for


def test_usage_is_given_per_item_in_order() -> None:
    usage: list[workers.Usage] = []
    names = ["a", "slow", "b"]
    list(workers.imap(_task, names, label=str, budget=SHORT, usage=usage))
    assert len(usage) == 3
    assert usage[1].seconds >= SHORT.seconds > usage[0].seconds


def _state(pid: int) -> str:
    """The process state letter (Z: a zombie), or "" when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def test_a_killed_run_takes_its_workers_with_it(tmp_path: Path) -> None:
    """SIGKILL of the run (nothing to clean up after itself) ends its workers too: none goes on writing."""
    marker = tmp_path / "worker.pid"

    def task(name: str) -> None:
        marker.write_text(str(os.getpid()))
        time.sleep(30)

    run = os.fork()
    if run == 0:
        try:
            list(workers.imap(task, ["a"], label=str))
        finally:
            os._exit(0)
    deadline = time.monotonic() + 20
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    worker = int(marker.read_text())
    os.kill(run, signal.SIGKILL)
    os.waitpid(run, 0)
    while _state(worker) not in ("", "Z"):
        assert time.monotonic() < deadline, "the worker outlived its run"
        time.sleep(0.05)


# --- where fork is missing (Windows): spawned workers, run under the simulation of tests/winsim --------

ROOT = Path(__file__).resolve().parent.parent
WINSIM = ROOT / "tests" / "winsim"


def _spin() -> None:
    """Busy in Python code for ever: what the watchdog thread stops where there is no SIGALRM."""
    while True:
        pass


#: What each hostile item does where fork, SIGALRM and resource are missing, and the code it must end
#: with (no memory budget there: a greedy item is not among them).
SIMULATED: dict[str, tuple[Callable[[], object], str]] = {
    "spin": (_spin, "IN-092"),
    "slow": (lambda: time.sleep(30), "IN-092"),  # in C: the parent ends the worker
    "exits": (lambda: os._exit(9), "IN-093"),
    "segfault": (_segfault, "IN-093"),
    "deep": (lambda: _recurse(0), "IN-093"),
    "surprise": (lambda: int("x"), "IN-094"),
    "ours": (lambda: _raise(InputError("IN-001", file="ours.xlsx")), "IN-001"),
}


def _simulated_task(name: str) -> tuple[str, int]:
    if name in SIMULATED:
        SIMULATED[name][0]()
    return name, os.getpid()


def simulated_run(jobs: int) -> list[list[object]]:
    """Run in a process under the simulation: each item's (name, code or pid)."""
    assert not hasattr(os, "fork") and not hasattr(signal, "setitimer")
    names = [f"good{i}" for i in range(12)]
    for i, bad in enumerate(SIMULATED):
        names.insert(2 + 2 * i, bad)
    budget = workers.Budget(seconds=0.5)
    out = workers.imap(_simulated_task, names, label=lambda n: f"{n}.xlsx", jobs=jobs, budget=budget)
    return [
        [name, f"{got.code} {got.file}" if isinstance(got, UnionformsError) else got[1]]
        for name, got in zip(names, out, strict=True)
    ]


def _simulated(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(WINSIM), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_without_fork_spawned_workers_keep_the_time_budget_and_the_order(jobs: int) -> None:
    started = time.monotonic()
    result = _simulated(
        "import json, tests.test_workers as t\n"
        f"if __name__ == '__main__': print(json.dumps(t.simulated_run({jobs})))\n"
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [name for name, _ in out][:3] == ["good0", "good1", "spin"]
    pids = set()
    for name, got in out:
        if name in SIMULATED:
            assert got == f"{SIMULATED[name][1]} {name}.xlsx", (name, got)
        else:
            assert isinstance(got, int)
            pids.add(got)
    assert len(pids) <= jobs + len(SIMULATED)  # long-lived, replaced after a budget hit
    assert time.monotonic() - started < 120  # the sleeper was ended, not waited for


def test_without_fork_one_item_runs_here_under_the_watchdog() -> None:
    result = _simulated(
        "import os, time\n"
        "from unionforms.collect import workers\n"
        "from tests.test_workers import _spin, bounded\n"
        "started = time.monotonic()\n"
        "try:\n"
        "    bounded(_spin, file='spin.xlsx', budget=workers.Budget(seconds=0.3))\n"
        "except Exception as exc:\n"
        "    print(exc.code, exc.file, round(time.monotonic() - started))\n"
        "print(bounded(lambda: os.getpid(), file='a') == os.getpid())\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["IN-092", "spin.xlsx", "0", "True"]


def test_without_fork_a_task_that_cannot_travel_runs_here_item_by_item() -> None:
    result = _simulated(
        "import os\n"
        "from unionforms.collect import workers\n"
        "out = list(workers.imap(lambda n: (n, os.getpid()), [1, 2, 3], label=str, jobs=2))\n"
        "print(out == [(n, os.getpid()) for n in (1, 2, 3)])\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_without_fork_a_budget_that_runs_out_as_an_item_ends_never_escapes() -> None:
    """Items that take about their budget: each ends as its value or IN-092, and the watchdog's exception
    never lands after the item (which would stop the run)."""
    result = _simulated(
        "import json, time\n"
        "from unionforms.collect import workers\n"
        "def spin(n):\n"
        "    end = time.perf_counter() + 0.004\n"
        "    while time.perf_counter() < end:\n"
        "        pass\n"
        "    return n\n"
        "budget = workers.Budget(seconds=0.004)\n"
        "out = list(workers.imap(lambda n: spin(n), range(400), label=str, budget=budget))\n"
        "codes = {o.code if isinstance(o, Exception) else 'ok' for o in out}\n"
        "print(json.dumps([len(out), sorted(codes)]))\n"
    )
    assert result.returncode == 0, result.stderr
    count, codes = json.loads(result.stdout)
    assert count == 400 and set(codes) <= {"ok", "IN-092"}
