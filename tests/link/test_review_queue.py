"""The review band: candidates the model is not sure of wait in the store for an officer, whose
decision later passes honour (accepted: a `manual` link; rejected: never proposed again)."""

from __future__ import annotations

import json

from link_passes import run
from link_truth import read

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.link_reviews import decide_link_review, link_reviews
from lamsach.ingest import load_manifest
from lamsach.runner import run_pass


def test_unsure_links_are_queued_and_decisions_are_honoured(small_province, tmp_path, store_url):
    # an accept threshold of 1 sends every model candidate to review
    first = run(small_province, tmp_path / "first", link_accept_probability=1.0, database_url=store_url)
    campaign = load_manifest(small_province).name
    store = SqlAlchemyStore.open(first.settings.store_url)
    queue = link_reviews(store, campaign)
    assert len(queue) >= 2
    assert all(0.5 <= q["match_probability"] < 1.0 and json.loads(q["weights"])["prior"] < 0 for q in queue)
    assert not [r for r in read(first.out / "links.csv") if r["method"] == "probabilistic"]

    accepted, rejected = queue[0], queue[1]
    decide_link_review(store, accepted["id"], "accepted", "cán bộ tư pháp", "đã đối chiếu giấy tờ")
    decide_link_review(store, rejected["id"], "rejected", "cán bộ tư pháp", "không phải người này")
    run_pass(small_province, tmp_path / "second", first.settings)

    links = {(r["dataset"], r["record_id"], r["role"]): r for r in read(tmp_path / "second" / "links.csv")}
    key = lambda q: (q["dataset"], q["record_key"], q["role"])  # noqa: E731
    assert links[key(accepted)]["method"] == "manual"
    assert links[key(accepted)]["citizen_id"] == accepted["citizen_id"]
    assert key(rejected) not in links
    reopened = {key(q) for q in link_reviews(store, campaign)}
    assert key(accepted) not in reopened and key(rejected) not in reopened
    assert all(q["status"] == "superseded" for q in link_reviews(store, campaign, status=None)
               if q["run_id"] == first.summary.run_id and q["id"] not in (accepted["id"], rejected["id"]))
