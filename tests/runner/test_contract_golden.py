"""The contract files of the sample province and of a generated one, compared with golden copies.

Other tools read these files, so a faster pass must write the same ones: each file's header and
its lines sorted (the order of rows is not part of the contract) must equal the golden copy kept in
`tests/golden/contract/<province>/` (gzip, to keep the repository small). A deliberate change of
results regenerates them with `LAMSACH_UPDATE_GOLDEN=1 pytest tests/runner/test_contract_golden.py`;
review the difference (`zcat`) before committing it.
"""

from __future__ import annotations

import gzip
import os
from datetime import date
from pathlib import Path

import pytest

from lamsach.generate import generate_province
from lamsach.runner import run_pass
from lamsach.settings import Settings

GOLDEN = Path(__file__).parents[1] / "golden" / "contract"
REFERENCE = date(2026, 11, 1)
GENERATED = {"people": 1200, "seed": 11}


def contract_files(out: Path) -> dict[str, list[str]]:
    """Each contract file as its header then its other lines sorted."""
    files = {}
    for path in sorted([*out.glob("*.csv"), *(out / "clean").glob("*.csv")]):
        name = path.relative_to(out).as_posix()
        if name == "link_weights.csv":  # the link stage's explanation, not a contract file
            continue
        header, *lines = path.read_text(encoding="utf-8").splitlines()
        files[name] = [header, *sorted(lines)]
    return files


def _golden_path(province: str, name: str) -> Path:
    return GOLDEN / province / (name.replace("/", "__") + ".gz")


def compare_with_golden(province: str, out: Path) -> None:
    actual = contract_files(out)
    if os.environ.get("LAMSACH_UPDATE_GOLDEN"):
        folder = GOLDEN / province
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.gz"):
            old.unlink()
        for name, lines in actual.items():
            data = ("\n".join(lines) + "\n").encode("utf-8")
            _golden_path(province, name).write_bytes(gzip.compress(data, mtime=0))
    expected = {p.name.removesuffix(".gz").replace("__", "/"): gzip.decompress(p.read_bytes()).decode("utf-8")
                .splitlines() for p in sorted((GOLDEN / province).glob("*.gz"))}
    assert expected, f"no golden files for {province}: run with LAMSACH_UPDATE_GOLDEN=1 and review them"
    assert sorted(actual) == sorted(expected)
    for name, lines in expected.items():
        got = actual[name]
        if got != lines:
            missing = sorted(set(lines) - set(got))[:5]
            extra = sorted(set(got) - set(lines))[:5]
            pytest.fail(f"{province}/{name}: {len(got)} lines, golden {len(lines)}; "
                        f"first missing {missing}; first unexpected {extra}")


def _pass(manifest: Path, tmp_path: Path, store_url: str) -> Path:
    settings = Settings(data_dir=tmp_path / "data", database_url=store_url)
    run_pass(manifest, tmp_path / "out", settings, reference_date=REFERENCE)
    return tmp_path / "out"


def test_sample_province_writes_the_golden_contract_files(sample_dir, tmp_path, store_url):
    compare_with_golden("hau-loc", _pass(sample_dir / "manifest.yaml", tmp_path, store_url))


def test_generated_province_writes_the_golden_contract_files(tmp_path):
    manifest = generate_province(tmp_path / "province", **GENERATED)
    out = _pass(manifest, tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    compare_with_golden(f"generated-{GENERATED['people']}-{GENERATED['seed']}", out)
