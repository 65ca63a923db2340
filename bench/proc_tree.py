"""A figure summed over a process and all its descendants, from Linux /proc.

The benchmarks run lamsach as a user does, in a child process that may fork its own (the pass's
standardise workers, the server's worker processes): what they cost is the sum over that tree.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def tree_sum(root: int, value: Callable[[int, list[str]], float]) -> float:
    """`value(pid, stat_fields)` summed over `root` and its descendants; `stat_fields` are the
    fields of /proc/<pid>/stat after the command name (index 1 is the parent's pid). A process
    that ends while the tree is read is left out."""
    children: dict[int, list[int]] = {}
    values: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            values[pid] = value(pid, fields)
        except OSError:  # gone meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += values.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total
