"""The campaign pass: assembles the stages in order for the CLI and the web."""

from lamsach.runner.pass_run import PassSummary, open_backends, run_pass
from lamsach.runner.progress import Progress, SilentProgress

__all__ = ["PassSummary", "Progress", "SilentProgress", "open_backends", "run_pass"]
