"""The harness's CPU accounting: a process tree's seconds only grow, and a child's CPU is
counted whether it is running, or has exited and been waited for."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.infra import TreeCpu

BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


def test_a_childs_cpu_is_counted_while_it_runs_and_after_it_is_reaped() -> None:
    tree = TreeCpu([os.getpid()], with_children=True)
    before = tree.seconds(rescan=True)
    child = subprocess.Popen([sys.executable, "-c", BURN + "input()"], stdin=subprocess.PIPE)
    try:
        running = _poll_until_child_burned(tree, before)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
    # Reaped: the child is gone from the tree but its time now sits in ours.
    reaped = tree.seconds(rescan=True)
    assert reaped >= running >= before + 0.25


def test_without_children_only_the_roots_count() -> None:
    tree = TreeCpu([os.getpid()], with_children=False)
    before = tree.seconds(rescan=True)
    subprocess.run([sys.executable, "-c", BURN], check=True)
    assert tree.seconds(rescan=True) - before < 0.25


def _poll_until_child_burned(tree: TreeCpu, before: float) -> float:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        seconds = tree.seconds(rescan=True)
        if seconds >= before + 0.25:
            return seconds
        time.sleep(0.05)
    raise AssertionError("the child's CPU never showed in the tree")
