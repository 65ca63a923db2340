"""A figure summed over a process and all its descendants, from Linux /proc.

The benchmarks run lamsach as a user does, in a child process that may fork its own (the pass's
standardise workers, the server's worker processes): what they cost is the sum over that tree.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def tree_pids(root: int) -> list[tuple[int, list[str]]]:
    """`root` and its descendants, each with the fields of /proc/<pid>/stat after the command
    name (index 1 is the parent's pid). A process that ends while /proc is read is left out."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            found.append((pid, stats[pid]))
        todo.extend(children.get(pid, []))
    return found


def tree_sum(root: int, value: Callable[[int, list[str]], float]) -> float:
    """`value(pid, stat_fields)` summed over `root` and its descendants (`tree_pids`). Only the
    tree's processes are asked: a figure such as the proportional set size walks a process's
    page tables, and reading it for every process of the machine ten times a second slowed
    the very run being measured."""
    total = 0.0
    for pid, fields in tree_pids(root):
        try:
            total += value(pid, fields)
        except OSError:  # gone meanwhile
            continue
    return total
