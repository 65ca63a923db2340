"""Score a pass's links.csv and duplicates.csv against a province's truth folder.

A link is right when truth names the same citizen for the same (dataset, record, role).
"Hard" references are those whose ID field the generator broke (missing, a 9-digit CMND, not
in the register, wrong digits): the probabilistic linker exists for them, so their recall is
reported apart. Duplicates are scored as unordered pairs within a dataset.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lamsach.data import load_schema

HARD_ID_ERRORS = frozenset({"missing_required", "legacy_id_document", "id_not_in_register",
                            "id_sex_century_mismatch", "id_birth_year_mismatch", "format_invalid"})


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class RoleScore:
    truth: int = 0
    linked: int = 0
    right: int = 0
    hard: int = 0
    hard_right: int = 0
    methods: Counter = field(default_factory=Counter)


@dataclass
class LinkScore:
    roles: dict[tuple[str, str], RoleScore]
    wrong: list[tuple[str, str, str, str, str, str]]
    missed_hard: list[tuple[str, str, str]]

    def _total(self, attr: str) -> int:
        return sum(getattr(r, attr) for r in self.roles.values())

    @property
    def precision(self) -> float:
        return self._total("right") / max(self._total("linked"), 1)

    @property
    def recall(self) -> float:
        return self._total("right") / max(self._total("truth"), 1)

    @property
    def hard_recall(self) -> float:
        return self._total("hard_right") / max(self._total("hard"), 1)

    def table(self) -> str:
        lines = [f"{'dataset':<12}{'role':<10}{'truth':>7}{'linked':>8}{'right':>7}{'prec':>8}{'recall':>8}"
                 f"{'hard':>6}{'h.rec':>7}  methods"]
        for (dataset, role), r in sorted(self.roles.items()):
            lines.append(f"{dataset:<12}{role:<10}{r.truth:>7}{r.linked:>8}{r.right:>7}"
                         f"{r.right / max(r.linked, 1):>8.4f}{r.right / max(r.truth, 1):>8.4f}"
                         f"{r.hard:>6}{r.hard_right / max(r.hard, 1):>7.3f}  {dict(r.methods)}")
        lines.append(f"overall: precision {self.precision:.4f}, recall {self.recall:.4f}, "
                     f"hard-ID recall {self.hard_recall:.4f} ({self._total('hard_right')}/{self._total('hard')})")
        return "\n".join(lines)


def _hard_references(truth_dir: Path) -> set[tuple[str, str, str]]:
    id_fields: dict[str, dict[str, str]] = {}
    hard = set()
    for error in read(truth_dir / "errors.csv"):
        if error["error_type"] not in HARD_ID_ERRORS or error["dataset"] == "population":
            continue
        if error["dataset"] not in id_fields:
            roles = load_schema(error["dataset"]).person_roles()
            id_fields[error["dataset"]] = {p["id"]: role for role, p in roles.items() if "id" in p}
        role = id_fields[error["dataset"]].get(error["field"])
        if role:
            hard.add((error["dataset"], error["record_id"], role))
    return hard


def score_links(out_dir: Path, truth_dir: Path) -> LinkScore:
    truth = {(r["dataset"], r["record_id"], r["role"]): r["citizen_id"] for r in read(truth_dir / "links.csv")}
    hard = _hard_references(truth_dir) & truth.keys()
    roles: dict[tuple[str, str], RoleScore] = {}
    for key in truth:
        score = roles.setdefault((key[0], key[2]), RoleScore())
        score.truth += 1
        score.hard += key in hard
    wrong, found = [], set()
    for link in read(out_dir / "links.csv"):
        key = (link["dataset"], link["record_id"], link["role"])
        score = roles.setdefault((key[0], key[2]), RoleScore())
        score.linked += 1
        score.methods[link["method"]] += 1
        if truth.get(key) == link["citizen_id"]:
            score.right += 1
            score.hard_right += key in hard
            found.add(key)
        else:
            wrong.append((*key, link["citizen_id"], truth.get(key, "-"), link["method"]))
    return LinkScore(roles, wrong, sorted(hard - found))


def duplicate_pairs(rows: list[dict[str, str]]) -> set[tuple[str, frozenset[str]]]:
    return {(r["dataset"], frozenset((r["record_id"], r["duplicate_of"]))) for r in rows
            if r["record_id"] != r["duplicate_of"]}


def truth_clusters(truth_rows: list[dict[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(dataset, record ID) -> the representative of its truth cluster of duplicates."""
    cluster: dict[tuple[str, str], tuple[str, str]] = {}
    for r in truth_rows:
        root = cluster.get((r["dataset"], r["duplicate_of"]), (r["dataset"], r["duplicate_of"]))
        cluster[(r["dataset"], r["record_id"])] = root
        cluster.setdefault((r["dataset"], r["duplicate_of"]), root)
    return cluster


def score_duplicates(out_dir: Path, truth_dir: Path) -> tuple[float, float, int, int]:
    """Precision, recall, pairs found, pairs in truth. A found pair counts when both records are
    in one truth cluster (a cluster of three may be reported through another representative)."""
    truth_rows = read(truth_dir / "duplicates.csv")
    cluster = truth_clusters(truth_rows)
    found = duplicate_pairs(read(out_dir / "duplicates.csv"))
    truth = duplicate_pairs(truth_rows)

    def same(pair: tuple[str, frozenset[str]]) -> bool:
        dataset, ids = pair
        roots = {cluster.get((dataset, i)) for i in ids}
        return len(roots) == 1 and None not in roots

    right = sum(same(p) for p in found)
    recalled = sum(any(p == f or (p[0] == f[0] and p[1] & f[1] and same(f)) for f in found) for p in truth)
    return right / max(len(found), 1), recalled / max(len(truth), 1), len(found), len(truth)
