"""How a long pass tells its caller what it is doing; the CLI shows it as Rich progress bars."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, steps: int = 1) -> None: ...
    def finish(self) -> None: ...


class SilentProgress:
    """For tests and the web's background jobs: records the stages, shows nothing."""

    def __init__(self) -> None:
        self.stages: list[str] = []

    def start(self, label: str, total: int) -> None:
        self.stages.append(label)

    def advance(self, steps: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass
