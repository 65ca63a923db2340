"""The link stage of a pass: every person reference tied to the register, duplicates found, the
register's knowledge filled in.

Order matters: links by ID first (exact and cheap), then the household context they give, then
the model trained on all references and applied to those the ID could not link; officers'
earlier decisions on queued candidates override the model; enrichment follows from the accepted
links; duplicates are searched within each dataset last, so a copy found only by its likeness
joins the findings as a `duplicate_record` like the exact ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from lamsach.backends.engine import Engine
from lamsach.backends.store import Store
from lamsach.data import load_schema, rule_templates
from lamsach.domain import DatasetSchema
from lamsach.link import (
    LINK_COLUMNS,
    DedupeSettings,
    LinkBands,
    TrainingSpec,
    build_references,
    build_register,
    explain_id_links,
    find_duplicates,
    link_by_id,
    link_probabilistically,
    register_by_id_table,
    save_charts,
    splink_api,
)
from lamsach.link.charts import MATCH_WEIGHTS_FILE, WATERFALL_FILE
from lamsach.link.enrich import EnrichmentResult, enrich_from_register
from lamsach.link.kept_candidates import CandidateKeeping
from lamsach.link.model_keeping import Keeping, PassModel, keep_trained, person_model_for_pass
from lamsach.settings import Settings

log = logging.getLogger("lamsach.link")
MODEL_FILE = "link_model.json"
WEIGHTS_FILE = "link_weights.csv"
LINK_FILES = (MODEL_FILE, WEIGHTS_FILE, MATCH_WEIGHTS_FILE, WATERFALL_FILE)  # what a pass may leave beside the reports
EXPLAINED_COLUMNS = ("dataset", "record_id", "role", "citizen_id", "method", "band", "match_probability",
                     "match_weight", "runner_up_weight", "register_record", "weights")


@dataclass
class LinkStageResult:
    links: str
    explained: str
    review: int = 0
    enrichment: EnrichmentResult = field(default_factory=lambda: EnrichmentResult(0, 0, 0))
    duplicates: int = 0
    files: list[Path] = field(default_factory=list)
    model_kept: bool = False  # linked with the campaign's kept person model (`model_keeping`), not trained
    chosen_model: PassModel | None = None  # the person model linked with, until `save_links` keeps it
    queues_reviews: bool = True  # False without the register: the review queue is left as it is
    candidates_kept: list[str] = field(default_factory=list)  # the kinds of references whose candidates were kept


@dataclass(frozen=True)
class LinkContext:
    engine: Engine
    store: Store
    campaign: str
    run_id: int
    actor: str
    settings: Settings
    out_dir: Path
    rule_overrides: dict = field(default_factory=dict)


def bands_from(settings: Settings) -> LinkBands:
    """Thresholds from the settings (environment values arrive as text, hence the float())."""
    return LinkBands(float(settings.link_accept_probability), float(settings.link_review_probability),
                     float(settings.link_min_margin_weight), float(settings.link_outside_share))


def _union(engine: Engine, name: str, parts: list[str], columns: tuple[str, ...], types: str) -> str:
    quote = engine.dialect.quote
    table = engine.table_name(name)
    if parts:
        cols = ", ".join(columns)
        engine.run(f"CREATE OR REPLACE TABLE {quote(table)} AS "
                   + " UNION ALL ".join(f"SELECT {cols} FROM {quote(p)}" for p in parts), rule=name)
    else:
        engine.run(f"CREATE OR REPLACE TABLE {quote(table)} ({types})", rule=name)
    return table


def _id_links(engine: Engine, schemas: list[DatasetSchema], tables: dict[str, str]) -> str:
    register = register_by_id_table(engine, tables["population"]) if schemas else None  # none without the register
    parts = [p for s in schemas if (p := link_by_id(engine, s, tables[s.name], register))]
    union = _union(engine, "id_links", parts, LINK_COLUMNS,
                   "dataset VARCHAR, record_id VARCHAR, role VARCHAR, citizen_id VARCHAR, "
                   "match_probability DOUBLE, method VARCHAR")
    engine.drop_tables(register, *parts)
    return union


def _decisions_table(ctx: LinkContext) -> str:
    rows = ctx.store.link_decisions(ctx.campaign)
    schema = pa.schema([(c, pa.string()) for c in ("dataset", "record_id", "role", "citizen_id", "status")])
    return ctx.engine.register("link_decisions", pa.Table.from_pylist(rows, schema=schema))


def _final_links(engine: Engine, id_links: str, chosen: str | None, decisions: str) -> tuple[str, str]:
    """The contract's links (ID, accepted model links, officers' `manual` links) and every
    link or candidate with its explanation."""
    quote = engine.dialect.quote
    null_double, null_text = engine.dialect.cast("NULL", "double"), engine.dialect.cast("NULL", "text")
    explained = engine.table_name("links_explained")
    band = engine.dialect.star_replacing("c", {"band": "CASE WHEN x.status = 'rejected' THEN 'reject' ELSE c.band END"})
    model_rows = (f"SELECT {band} "
                  f"FROM {quote(chosen)} c LEFT JOIN {quote(decisions)} x USING (dataset, record_id, role, citizen_id) "
                  f"WHERE NOT EXISTS (SELECT 1 FROM {quote(decisions)} a WHERE a.status = 'accepted' "
                  f"AND a.dataset = c.dataset AND a.record_id = c.record_id AND a.role = c.role)") if chosen else None
    manual = (f"SELECT dataset, record_id, role, citizen_id, 1.0 AS match_probability, 'manual' AS method, "
              f"'accept' AS band, {null_double} AS match_weight, {null_double} AS runner_up_weight, "
              f"{null_text} AS register_record, {null_text} AS weights FROM {quote(decisions)} a "
              f"WHERE a.status = 'accepted' AND NOT EXISTS (SELECT 1 FROM {quote(id_links)} l "
              f"WHERE l.dataset = a.dataset AND l.record_id = a.record_id AND l.role = a.role)")
    id_rows = (f"SELECT l.dataset, l.record_id, l.role, l.citizen_id, l.match_probability, l.method, 'accept' AS band, "
               f"{null_double} AS match_weight, {null_double} AS runner_up_weight, {null_text} AS register_record, "
               f"{null_text} AS weights FROM {quote(id_links)} l")
    parts = [id_rows, manual] + ([model_rows] if model_rows else [])
    cols = ", ".join(EXPLAINED_COLUMNS)
    engine.run(f"CREATE OR REPLACE TABLE {quote(explained)} AS "
               + " UNION ALL ".join(f"SELECT {cols} FROM ({p})" for p in parts), rule="links")
    links = engine.table_name("links")
    engine.run(f"CREATE OR REPLACE TABLE {quote(links)} AS SELECT {', '.join(LINK_COLUMNS)} FROM {quote(explained)} "
               f"WHERE band = 'accept' ORDER BY dataset, record_id, role", rule="links")
    return links, explained


def _explain_id_links(engine: Engine, explained: str, scored: str) -> None:
    """Give the ID links the model's weights (the model never saw the IDs: an independent check)."""
    # the table made again with a join rather than updated in place: an UPDATE of text columns
    # over every ID link took seconds per 100,000 links ("scored" has one row per reference)
    quote = engine.dialect.quote
    given = ("match_weight", "weights", "register_record")
    columns = ", ".join(f"CASE WHEN s.dataset IS NULL THEN e.{c} ELSE s.{c} END AS {c}" if c in given else f"e.{c}"
                        for c in EXPLAINED_COLUMNS)
    engine.run(f"CREATE OR REPLACE TABLE {quote(explained)} AS SELECT {columns} FROM {quote(explained)} e "
               f"LEFT JOIN {quote(scored)} s ON e.method IN ('id', 'id_verified') "
               f"AND s.dataset = e.dataset AND s.record_id = e.record_id AND s.role = e.role "
               f"AND s.citizen_id = e.citizen_id", rule="links explained")


def _queue_reviews(ctx: LinkContext, explained: str) -> int:
    quote = ctx.engine.dialect.quote
    rows = ctx.engine.rows(
        f"SELECT dataset, record_id AS record_key, role, citizen_id, register_record, match_probability, "
        f"match_weight, runner_up_weight, weights FROM {quote(explained)} WHERE band = 'review' "
        f"ORDER BY dataset, record_id, role")
    return ctx.store.save_link_reviews(ctx.run_id, ctx.campaign, rows)


def link_people(ctx: LinkContext, datasets: list[str], tables: dict[str, str]) -> LinkStageResult:
    """Links (ID, model, officers' decisions), the review queue and the model's files for a pass."""
    return save_links(ctx, find_links(ctx, datasets, tables))


def save_links(ctx: LinkContext, found: LinkStageResult) -> LinkStageResult:
    """What `find_links` leaves for the store: the person model it trained, kept for the next
    passes, and the candidates officers review."""
    if found.chosen_model is not None:
        keep_trained(ctx.store, ctx.campaign, ctx.run_id, found.chosen_model)
    if found.queues_reviews:
        found.review = _queue_reviews(ctx, found.explained)
    return found


def find_links(ctx: LinkContext, datasets: list[str], tables: dict[str, str]) -> LinkStageResult:
    """`link_people`'s work in the engine, its files in the staging folder, the store only read
    (officers' decisions, the kept model): it may run while the store is taking other writes."""
    quote = ctx.engine.dialect.quote
    engine, settings = ctx.engine, ctx.settings
    schemas = [load_schema(d) for d in datasets if d != "population" and load_schema(d).person_roles()]
    if "population" not in tables:
        id_links, decisions = _id_links(engine, [], tables), _decisions_table(ctx)
        links, explained = _final_links(engine, id_links, None, decisions)
        engine.drop_tables(id_links, decisions)
        return LinkStageResult(links, explained, queues_reviews=False)
    id_links = _id_links(engine, schemas, tables)
    register = build_register(engine, tables["population"])
    references = build_references(engine, schemas, tables, id_links)
    n_references = engine.run(f"SELECT count(*) FROM {quote(references)}")[0][0]
    n_register = engine.run(f"SELECT count(*) FROM {quote(register)}")[0][0]
    chosen, scored, files, model_kept, chosen_model = None, None, [], False, None
    candidates_kept: list[str] = []
    bands = bands_from(settings)
    if min(n_references, n_register) >= settings.link_min_references:
        api = splink_api(engine)
        chosen_model = person_model_for_pass(
            engine, api, ctx.store, ctx.campaign, ctx.run_id, references, register, n_references, n_register,
            TrainingSpec.from_settings(settings),
            float(settings.link_model_max_change))
        model, model_kept = chosen_model.model, chosen_model.kept
        keeping = CandidateKeeping(settings.data_dir / "cache", ctx.campaign) if settings.reuse_unchanged_files else None
        found = link_probabilistically(engine, api, model, references, id_links, bands, keeping)
        chosen = found.table
        scored = explain_id_links(engine, api, model, references, id_links, bands, keeping)
        files = [model.save(_ensure(ctx.out_dir) / MODEL_FILE), *save_charts(model, ctx.out_dir, found.example_pair)]
        candidates_kept = [kind for kind, n in (("references without an ID link", found.kept), ("ID links", scored.kept))
                           if n]
    else:
        log.info("%s references, %s register people: too few to train a model; ID links only",
                 n_references, n_register)
    decisions = _decisions_table(ctx)
    links, explained = _final_links(engine, id_links, chosen, decisions)
    if scored:
        _explain_id_links(engine, explained, scored.table)
    # the links and their explanations hold what the rest of the pass needs of these
    engine.drop_tables(id_links, register, references, chosen, scored.table if scored else None, decisions)
    return LinkStageResult(links, explained, files=files, model_kept=model_kept, chosen_model=chosen_model,
                           candidates_kept=candidates_kept)


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def enrich(ctx: LinkContext, datasets: list[str], tables: dict[str, str], links: str, findings: str) -> EnrichmentResult:
    if "population" not in tables:
        return EnrichmentResult(0, 0, 0)
    schemas = [load_schema(d) for d in datasets if d != "population"]
    return enrich_from_register(ctx.engine, ctx.store, ctx.campaign, ctx.run_id, ctx.actor, schemas, tables,
                                links, findings, ctx.engine.table_name("rule_catalogue"))


@dataclass
class DedupeResult:
    added: int = 0
    """`duplicate_record` findings added."""
    models_kept: list[str] = field(default_factory=list)
    """The datasets whose dedupe model the campaign kept (`model_keeping`), not trained this pass."""
    results_kept: list[str] = field(default_factory=list)
    """The datasets whose duplicates were taken as the last pass found them (same rows, same model)."""


def deduplicate(ctx: LinkContext, datasets: list[str], tables: dict[str, str], findings: str,
                advance: Callable[[], None] = lambda: None) -> DedupeResult:
    """Fuzzy duplicates of every dataset as `duplicate_record` findings, except records the exact
    rule already reported."""
    quote = ctx.engine.dialect.quote
    result = DedupeResult()
    if not ctx.rule_overrides.get("duplicate_record", {}).get("enabled", True):
        return result
    engine, settings = ctx.engine, ctx.settings
    dedupe = DedupeSettings(float(settings.dedupe_threshold_probability), float(settings.dedupe_expected_share))
    keeping = Keeping(ctx.store, ctx.campaign, ctx.run_id, float(settings.link_model_max_change),
                      results=settings.data_dir / "cache" if settings.reuse_unchanged_files else None)
    api = splink_api(engine)
    template = rule_templates()["duplicate_record"]["vi"].replace("'", "''")
    catalogue = quote(engine.table_name("rule_catalogue"))
    for dataset in datasets:
        schema = load_schema(dataset)
        found = find_duplicates(engine, api, schema, tables[dataset], dedupe, keeping)
        advance()
        if found is None:
            continue
        if found.model_kept:
            result.models_kept.append(dataset)
        if found.result_kept:
            result.results_kept.append(dataset)
        unit = f"coalesce(d.__unit, d.{quote(schema.unit_field)})" if schema.unit_field else "d.__unit"
        rows = engine.run(
            f"INSERT INTO {quote(findings)} SELECT x.dataset, x.record_id, {unit}, '*', c.criterion, "
            f"'duplicate_record', c.severity, 'open', replace('{template}', '{{duplicate_of}}', x.duplicate_of), "
            f"x.duplicate_of "
            f"FROM {quote(found.table)} x JOIN {quote(tables[dataset])} d ON d.record_id = x.record_id "
            f"JOIN {catalogue} c ON c.rule = 'duplicate_record' WHERE NOT EXISTS (SELECT 1 FROM {quote(findings)} f "
            f"WHERE f.dataset = x.dataset AND f.record_id = x.record_id AND f.rule = 'duplicate_record')",
            rule=f"dedupe {dataset}")
        result.added += rows[0][0] if rows else 0
        engine.drop_tables(found.table)
    return result


def write_link_files(ctx: LinkContext, explained: str) -> Path:
    """Every link and queued candidate with the weights that explain it, for officers and inspectors."""
    quote = ctx.engine.dialect.quote
    path = _ensure(ctx.out_dir) / WEIGHTS_FILE
    ctx.engine.run(ctx.engine.dialect.copy_to_csv(
        f"SELECT {', '.join(EXPLAINED_COLUMNS)} FROM {quote(explained)} WHERE band <> 'reject' "
        f"ORDER BY dataset, record_id, role", str(path)), rule="write link weights")
    return path
