"""A real receiver in its own process (`lamsach sync receiver`) on a free port, for the sync tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReceiverProcess:
    """`lamsach sync receiver` started and stopped by a test; `lines()` reads what it accepted."""

    def __init__(self, folder: Path, port: int | None = None, args: tuple[str, ...] = ()) -> None:
        self.folder, self.port, self.args = folder, port or free_port(), args
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> ReceiverProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lamsach.cli", "sync", "receiver", "--port", str(self.port),
             "--dir", str(self.folder), "--no-fsync", *self.args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"receiver exited: {self.process.stderr.read().decode()}")
            try:
                with urllib.request.urlopen(f"{self.url}/v1/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("receiver did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def lines(self) -> list[dict]:
        lines = []
        for path in sorted((self.folder / "accepted").glob("*.jsonl")):
            lines += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return lines


def receiver_fixture(tmp_path: Path):
    """Start receivers for a test (`start(*switches, port=…)`); all are killed at its end."""
    started: list[ReceiverProcess] = []

    def start(*args: str, port: int | None = None, wait: bool = True, folder: Path | None = None) -> ReceiverProcess:
        process = ReceiverProcess(folder or tmp_path / "received", port, args).start(wait)
        started.append(process)
        return process

    return start, started
