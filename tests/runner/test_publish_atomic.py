"""Publishing a pass's outputs is all or nothing: killed after any number of file operations, the
output folder holds the previous outputs whole or the new ones whole — never a mix, never empty —
and the next start leaves nothing of the killed pass beside it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lamsach.backends.store import this_host
from lamsach.publish.folder import recover

# Run in a child process: publish `staging` into `out`, the process dying (os._exit, as a SIGKILL
# would leave it: no cleanup) after `limit` elementary file operations.
CHILD = textwrap.dedent("""
    import os, shutil, sys
    from pathlib import Path
    from lamsach.publish import folder

    staging, out, limit, exchange = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
    done = 0

    def counted(real):
        def operation(*args, **kwargs):
            global done
            if done >= limit:
                os._exit(9)
            done += 1
            return real(*args, **kwargs)
        return operation

    for name in ("rename", "replace", "link", "unlink", "rmdir", "mkdir"):
        setattr(os, name, counted(getattr(os, name)))
    shutil.copy2 = counted(shutil.copy2)
    folder._exchange = counted(folder._exchange) if exchange else (lambda a, b: False)
    folder.publish(staging, out, previous=("chart.html",))
    print(done)
""")


def _tree(folder: Path) -> dict[str, str] | None:
    if not folder.is_dir():
        return None
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


DEAD = _dead_pid()
OLD = {"findings.csv": "old findings", "clean/population.csv": "old people", "clean/death.csv": "old deaths",
       "chart.html": "old chart", "report.html": "old report", "notes.txt": "an officer's own file"}
NEW = {"findings.csv": "new findings", "clean/population.csv": "new people", "links.csv": "new links",
       "report.html": "new report"}
NEW_WHOLE = {**NEW, "notes.txt": "an officer's own file"}  # not the pass's: carried over


def _publish_killed(tmp_path: Path, limit: int, exchange: bool) -> tuple[Path, subprocess.CompletedProcess]:
    root = tmp_path / f"run{limit}"
    out, staging = root / "out", root / f".out~pass~{this_host()}~{DEAD}~x"  # as a killed pass's
    _write(out, OLD)
    _write(staging, NEW)
    done = subprocess.run([sys.executable, "-c", CHILD, str(staging), str(out), str(limit), "1" if exchange else "0"],
                          capture_output=True, text=True, timeout=60)
    return out, done


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "rename-aside"])
def test_publish_killed_after_any_file_operation_leaves_old_or_new_outputs_whole(tmp_path, exchange):
    outcomes = []
    for limit in range(0, 200):
        out, done = _publish_killed(tmp_path, limit, exchange)
        assert done.returncode in (0, 9), done.stderr
        seen = _tree(out)
        if exchange:  # one atomic swap: whole at every moment, before any recovery
            assert seen in (OLD, NEW_WHOLE), (limit, seen)
        recover(out)  # the next pass's start
        assert _tree(out) in (OLD, NEW_WHOLE), (limit, _tree(out))
        assert sorted(p.name for p in out.parent.iterdir()) == ["out"], limit  # nothing left beside it
        outcomes.append(_tree(out) == NEW_WHOLE)
        if done.returncode == 0:
            break
    assert done.returncode == 0, "publish never finished within 200 file operations"
    assert len(outcomes) > 5 and outcomes[0] is False and outcomes[-1] is True
    assert outcomes == sorted(outcomes)  # old until one operation, new from then on


def test_a_staging_folder_of_a_pass_still_running_is_left_alone(tmp_path):
    out = tmp_path / "out"
    _write(out, OLD)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        mine = tmp_path / f".out~pass~{this_host()}~{running.pid}~abc"
        gone = tmp_path / f".out~pass~{this_host()}~{_dead_pid()}~abc"
        elsewhere = tmp_path / f".out~pass~another-machine~{_dead_pid()}~abc"
        for folder in (mine, gone, elsewhere):
            _write(folder, NEW)
        assert recover(out) == [gone]
        assert mine.exists() and elsewhere.exists() and not gone.exists() and _tree(out) == OLD
    finally:
        running.kill()
        running.wait()


