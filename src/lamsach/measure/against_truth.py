"""How well a pass found what was planted: recall per defect class and the false-alarm rate.

Used on generated provinces and on samples that come with a `truth/` folder (errors.csv,
involved.csv). A planted defect counts as found when a finding names the same dataset, record,
field and criterion (any field, for a defect of the whole record); a record that no defect
touches and still gets a finding is a false alarm.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ClassScore:
    dataset: str
    error_type: str
    planted: int
    found: int

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0


@dataclass(frozen=True)
class TruthScore:
    classes: list[ClassScore]
    clean_records: int
    false_alarms: int
    false_alarm_examples: list[tuple[str, str, str]]
    clean_by_dataset: dict[str, int] = field(default_factory=dict)
    alarms_by_dataset: dict[str, int] = field(default_factory=dict)

    def by_dataset(self) -> list[tuple[str, int, int, int, int]]:
        """Per dataset: (dataset, planted, found, false alarms, records with no defect): the
        self-check a new sector dataset must pass on its own, not hidden in the province's total."""
        names = sorted({c.dataset for c in self.classes} | set(self.clean_by_dataset))
        return [(d, sum(c.planted for c in self.classes if c.dataset == d),
                 sum(c.found for c in self.classes if c.dataset == d),
                 self.alarms_by_dataset.get(d, 0), self.clean_by_dataset.get(d, 0)) for d in names]

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean_records if self.clean_records else 0.0

    def table(self) -> str:
        lines = [f"{'dataset':<12} {'defect':<34} {'planted':>7} {'found':>6} {'recall':>7}"]
        for c in sorted(self.classes, key=lambda c: (c.recall, c.dataset, c.error_type)):
            lines.append(f"{c.dataset:<12} {c.error_type:<34} {c.planted:>7} {c.found:>6} {c.recall:>7.3f}")
        lines.append(f"false alarms: {self.false_alarms} of {self.clean_records} records with no defect "
                     f"({self.false_alarm_rate:.2%})")
        return "\n".join(lines)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def score_against_truth(out_dir: Path, truth_dir: Path, clean_dir: Path | None = None) -> TruthScore:
    findings = _read(out_dir / "findings.csv")
    by_record: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in findings:
        by_record[(f["dataset"], f["record_id"])].append(f)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for error in _read(truth_dir / "errors.csv"):
        key = (error["dataset"], error["error_type"])
        counts[key][0] += 1
        found = any(
            f["criterion"] == error["criterion"] and (error["field"] == "*" or f["field"] == error["field"])
            for f in by_record.get((error["dataset"], error["record_id"]), ()))
        counts[key][1] += found
    involved = {(r["dataset"], r["record_id"]) for r in _read(truth_dir / "involved.csv")}
    all_records = {(path.stem, row["record_id"]) for path in (out_dir / "clean").glob("*.csv")
                   for row in _read(path)}
    clean = all_records - involved
    alarms = sorted(k for k in clean if k in by_record)
    examples = [(d, r, by_record[(d, r)][0]["rule"]) for d, r in alarms[:20]]
    classes = [ClassScore(d, e, n, found) for (d, e), (n, found) in counts.items()]
    clean_by: dict[str, int] = defaultdict(int)
    alarms_by: dict[str, int] = defaultdict(int)
    for dataset, _ in clean:
        clean_by[dataset] += 1
    for dataset, _ in alarms:
        alarms_by[dataset] += 1
    return TruthScore(classes, len(clean), len(alarms), examples, dict(clean_by), dict(alarms_by))
