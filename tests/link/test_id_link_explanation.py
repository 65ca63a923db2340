"""An ID link is explained by the model's weights for its citizen (`explain_id_links`), without
the probability among candidates the probabilistic links need: the links table reads only the
weights, the match weight and the register record. A pass explaining them the way probabilistic
links are banded (`_best_candidates`, the outside share estimated first) writes the same files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lamsach.link import probabilistic
from lamsach.runner import run_pass
from lamsach.settings import Settings

REFERENCE = date(2026, 11, 1)


def _banded_as_candidates(engine, db_api, model, references, id_links, bands, keeping=None):
    """`explain_id_links` as it was: every ID-linked reference banded like a probabilistic one."""
    pool = probabilistic._pool(engine, references, id_links, True, engine.table_name("link_id_pool"))
    pool_df = db_api.register(pool, dataset_display_name="id_pool")
    predictions = model.linker.inference.predict_between(
        pool_df, model.register, blocking_rules_to_generate_predictions=["l.id_value = r.citizen_id"],
        warning_mode="never")
    weights = probabilistic.weights_sql(engine, predictions.physical_name, model)
    prior = model.settings_dict()["probability_two_random_records_match"]
    name = probabilistic._best_candidates(engine, predictions.physical_name, references, weights, "id", bands,
                                          model.n_register, prior, engine.table_name("links_id_explained"))
    predictions.drop_table_from_database_and_remove_from_cache()
    return probabilistic.ExplainedIdLinks(name)


def _pass(manifest: Path, out: Path) -> None:
    settings = Settings(data_dir=out.parent / f"{out.name}-data", standardise_workers=1)
    run_pass(manifest, out, settings, reference_date=REFERENCE)


def test_id_links_are_explained_as_banding_them_would_explain_them(tmp_path, small_province, monkeypatch):
    _pass(small_province, tmp_path / "weights")
    with monkeypatch.context() as patched:
        patched.setattr("lamsach.link.stage.explain_id_links", _banded_as_candidates)
        _pass(small_province, tmp_path / "banded")
    names = sorted(p.relative_to(tmp_path / "banded").as_posix()
                   for p in [*(tmp_path / "banded").glob("*.csv"), *(tmp_path / "banded" / "clean").glob("*.csv")])
    assert "link_weights.csv" in names and "links.csv" in names
    weights = (tmp_path / "weights" / "link_weights.csv").read_text(encoding="utf-8")
    # ID links are among the explained ones, with the model's weights
    assert any(line.split(",")[4] in ("id", "id_verified") and '""prior""' in line for line in weights.splitlines())
    for name in names:
        assert (tmp_path / "weights" / name).read_bytes() == (tmp_path / "banded" / name).read_bytes(), name
