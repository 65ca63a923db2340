"""The benchmarks' sum over a process tree: the tree and only it (bench/proc_tree.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from proc_tree import tree_pids, tree_sum  # noqa: E402


def test_a_tree_holds_the_process_and_its_descendants_and_nothing_else():
    parent = subprocess.Popen(["sh", "-c", "sleep 30 & sleep 30 & wait"], start_new_session=True)
    try:
        for _ in range(50):  # the shell starts its two children
            tree = dict(tree_pids(parent.pid))
            if len(tree) == 3:
                break
            time.sleep(0.05)
        assert len(tree) == 3, tree
        assert parent.pid in tree
        children = [pid for pid, fields in tree.items() if pid != parent.pid]
        assert all(int(tree[pid][1]) == parent.pid for pid in children)
        assert os.getpid() not in tree  # the test's own process is the tree's parent, not in it
        asked: list[int] = []
        assert tree_sum(parent.pid, lambda pid, _fields: asked.append(pid) or 2) == 6
        assert sorted(asked) == sorted(tree)  # no other process of the machine was read
    finally:
        os.killpg(parent.pid, signal.SIGKILL)  # the shell and its sleeps
        parent.wait()
