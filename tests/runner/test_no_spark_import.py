"""A DuckDB pass never loads Apache Spark: pyspark is an optional extra, and its import alone
starts nothing but costs seconds and memory a province on one machine does not need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from pathlib import Path
import lamsach
from lamsach.cli.app import app
from lamsach.runner import run_pass
from lamsach.settings import Settings
from lamsach.generate import generate_province
root = Path(sys.argv[1])
manifest = generate_province(root / "province", people=150, seed=3)
summary = run_pass(manifest, root / "out", Settings(data_dir=root / "data"))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pyspark", "py4j"))
print(json.dumps({"loaded": loaded, "rows": summary.rows_stored,
                  "spark_module": "lamsach.backends.engine.spark" in sys.modules}))
"""


def test_a_duckdb_pass_and_the_cli_never_import_pyspark(tmp_path: Path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          timeout=300, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] > 150
    assert result["loaded"] == []
    assert result["spark_module"] is False
