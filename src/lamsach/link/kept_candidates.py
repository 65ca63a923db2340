"""Each reference's register candidates as a pass scored them, kept for the next pass.

Scoring a reference against the register (Splink's blocking rules and comparisons) depends on
the reference's row, the register's rows and the model, and on nothing else: the names' term
frequencies are counted on the register alone (`training._ready`). A weekly re-run changes a
few units' references and leaves the register and the rest as they were; so a pass keeps, for
each reference it scored, its candidates (citizen, match weight, register record, the weights
that explain it) under the hash of the reference's row, in a file named by the fingerprint of
the register, the model and the code. The next pass scores only the references whose row is
new or changed and takes the others' candidates. Choosing among a reference's candidates (the
share of references outside the register, the bands) reads every reference's and is done again
each pass: it is a few statements over the candidates.

DuckDB only: the candidates are read back from Parquet. A reference's row is known by its 63-bit
hash (`Dialect.row_hash`), compared with its own row's of the last pass: a change goes unseen by
a chance of one in 2^63. Off with `reuse_unchanged_files = false`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lamsach.backends.engine import Engine
from lamsach.backends.engine.kept_parquet import remove_other_fingerprints, write_parquet
from lamsach.domain import LamsachError
from lamsach.link.model_keeping import TRAINING_CODE, definition_key, rows_fingerprint

CANDIDATE_COLUMNS = ("unique_id", "citizen_id", "match_weight", "register_record", "weights")
"""A candidate as `probabilistic._candidates` makes it: the best of a citizen's register records."""

CODE = (*TRAINING_CODE, "probabilistic.py", "kept_candidates.py", "references.py")
"""The modules whose code decides a reference's candidates: a change to any is a new fingerprint."""


@dataclass
class CandidateKeeping:
    """Where a pass keeps its references' candidates: the data folder's cache, for one campaign;
    with the fingerprint of the register, taken once for both kinds of references."""

    folder: Path
    campaign: str
    registers: dict[str, str] = field(default_factory=dict)

    def register_digest(self, engine: Engine, register: str) -> str:
        """The fingerprint of every column of every row of the engine table `register`
        (`rows_fingerprint`)."""
        if register not in self.registers:
            now = rows_fingerprint(engine, [(register, "register")], _columns(engine, register),
                                   rule="link register fingerprint")
            self.registers[register] = f"{now.rows}:{now.digest}"
        return self.registers[register]


def _columns(engine: Engine, table: str) -> list[str]:
    return [row[0] for row in engine.run(f"DESCRIBE {engine.dialect.quote(table)}")]


@dataclass(frozen=True)
class KeptCandidates:
    """The candidates of one kind of scoring (`kind`: the references without an ID link, those
    with one) kept at `path`; `hashes` names the engine table of this pass's references and the
    hash of each one's row once `split` made it."""

    path: Path
    hashes: str

    @classmethod
    def of(cls, engine: Engine, keeping: CandidateKeeping | None, kind: str, model: dict, register: str,
           scoring: dict) -> KeptCandidates | None:
        """The kept candidates of `kind` for this register (`register`'s every column) and model
        (its whole JSON, prior included) scored as `scoring` says (threshold, blocking); None
        when nothing is kept (no `keeping`, another engine than DuckDB)."""
        if keeping is None or engine.name != "duckdb":
            return None
        key = definition_key(engine, ["candidates", kind, model, keeping.register_digest(engine, register), scoring],
                             CODE)
        stem = hashlib.sha256(f"{keeping.campaign}\0{kind}".encode()).hexdigest()[:32]
        return cls(keeping.folder / "links" / f"{stem}.{key[:32]}.parquet", engine.table_name(f"link_{kind}_row_hashes"))

    def split(self, engine: Engine, pool: str, to_score: str, kept: str) -> tuple[str, str | None]:
        """Of `pool`'s references, those whose candidates are not kept (into the engine table
        `to_score`, `pool`'s columns), and the kept candidates of the others (into `kept`,
        `CANDIDATE_COLUMNS`): the names of both. `pool` itself and None when nothing is kept for
        this fingerprint; a file that cannot be read only costs the scoring."""
        q = engine.dialect.quote
        row_hash = engine.dialect.row_hash([q(c) for c in _columns(engine, pool)])
        engine.run(f"CREATE OR REPLACE TABLE {q(self.hashes)} AS SELECT unique_id, {row_hash} AS row_hash "
                   f"FROM {q(pool)}", rule="link reference hashes")
        if not self.path.exists():
            return pool, None
        matched = f"{self.hashes}_matched"
        same = (f"read_parquet({engine.dialect.literal(str(self.path))}) k JOIN {q(self.hashes)} h "
                f"ON h.unique_id = k.unique_id AND h.row_hash = k.row_hash")
        try:
            # the references taken (a reference scored without any candidate is kept as one row
            # without a citizen), and the candidates of those that have some
            engine.run(f"CREATE OR REPLACE TABLE {q(matched)} AS SELECT DISTINCT k.unique_id FROM {same}",
                       rule="link kept candidates")
            engine.run(f"CREATE OR REPLACE TABLE {q(kept)} AS SELECT {', '.join(f'k.{c}' for c in CANDIDATE_COLUMNS)} "
                       f"FROM {same} WHERE k.citizen_id IS NOT NULL", rule="link kept candidates")
        except LamsachError:
            return pool, None
        engine.run(f"CREATE OR REPLACE TABLE {q(to_score)} AS SELECT p.* FROM {q(pool)} p WHERE NOT EXISTS ("
                   f"SELECT 1 FROM {q(matched)} m WHERE m.unique_id = p.unique_id)", rule="link kept candidates")
        engine.drop(matched)
        return to_score, kept

    def save(self, engine: Engine, candidates: str) -> None:
        """Keep `candidates` (every reference's: those scored now and those taken as kept) under
        this fingerprint, each reference's row hash beside them; a reference without any, as one
        row without a citizen. In no order (the next pass joins them by reference; sorting the
        2,200,000 ID links' candidates of a million people only cost time). Written aside and
        renamed; an unwritable folder only costs the next pass the scoring."""
        q = engine.dialect.quote
        columns = ", ".join(f"c.{c}" for c in CANDIDATE_COLUMNS if c != "unique_id")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_parquet(engine, f"SELECT h.unique_id, h.row_hash, {columns} FROM {q(self.hashes)} h "
                          f"LEFT JOIN {q(candidates)} c ON c.unique_id = h.unique_id", self.path,
                          rule="link keep candidates")
            remove_other_fingerprints(self.path)
        except (OSError, LamsachError):
            pass
