"""Choosing the engine: an unknown name, or Spark without Java, is a message that says what to do,
before anything is stored (never a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lamsach.generate import generate_province


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lamsach.cli", "run", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_unknown_engine_and_spark_without_java_say_what_to_do(tmp_path: Path):
    manifest = generate_province(tmp_path / "province", people=60, seed=2)
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "LAMSACH_ENGINE")}
    env["COLUMNS"] = "400"
    unknown = _run([str(manifest), "--out", str(tmp_path / "out"), "--data-dir", str(tmp_path / "d1"),
                    "--engine", "flink"], env, tmp_path)
    assert unknown.returncode == 1
    assert "không có engine “flink”" in unknown.stdout + unknown.stderr
    assert "Traceback" not in unknown.stdout + unknown.stderr

    no_java = _run([str(manifest), "--out", str(tmp_path / "out"), "--data-dir", str(tmp_path / "d2")],
                   {**env, "PATH": str(tmp_path / "empty"), "LAMSACH_ENGINE": "spark"}, tmp_path)
    text = no_java.stdout + no_java.stderr
    assert no_java.returncode == 1
    assert "openjdk-17-jre-headless" in text and "Java 17" in text
    assert "Traceback" not in text
    assert not (tmp_path / "d2" / "lamsach.db").exists()  # nothing stored
    assert not (tmp_path / "out").exists()
