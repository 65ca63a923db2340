"""Whether the Spark engine can start here, checked without importing pyspark or starting Java."""

from __future__ import annotations

import importlib.util
import os
import shutil

from lamsach.domain import ErrorCode


def spark_missing() -> ErrorCode | None:
    """What stops a pass on Spark here (the `[spark]` extra, or Java), for a message that says
    what to install; None when nothing does."""
    if importlib.util.find_spec("pyspark") is None:
        return ErrorCode.SPARK_NOT_INSTALLED
    java_home = os.environ.get("JAVA_HOME")
    if not ((java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) or shutil.which("java")):
        return ErrorCode.SPARK_JAVA_MISSING
    return None
