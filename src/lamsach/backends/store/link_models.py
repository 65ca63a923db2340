"""The campaign's kept person model in the store (`link_models`): read by the link stage of every
pass, written when a pass trains one. See `lamsach.link.model_keeping` for when it is reused.

Kept in the store, not in the data folder: which model a pass links with is part of the store's
history (like officers' decisions), so any pass over the same store history — a weekly re-run
or one that reads and stores every file again — finds the same kept model and decides the same.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select

from lamsach.backends.store import tables as t
from lamsach.backends.store.base import KeptLinkModel

if TYPE_CHECKING:
    from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore


def kept_link_model(store: SqlAlchemyStore, campaign: str, model_key: str) -> KeptLinkModel | None:
    """The model `campaign` keeps for the definition `model_key`, or None."""
    m = t.link_models.c
    with store.engine.connect() as conn:
        row = conn.execute(select(m.model, m.input_rows, m.input_digest, m.input_sketch, m.run_id)
                           .where(m.campaign == campaign, m.model_key == model_key)).first()
    if row is None:
        return None
    return KeptLinkModel(json.loads(row.model), row.input_rows, row.input_digest, json.loads(row.input_sketch),
                         row.run_id)


def keep_link_model(store: SqlAlchemyStore, campaign: str, model_key: str, kept: KeptLinkModel) -> None:
    """Keep `kept` as the campaign's model for `model_key`, replacing the one kept before (one transaction)."""
    m = t.link_models.c
    with store.engine.begin() as conn:
        conn.execute(delete(t.link_models).where(m.campaign == campaign, m.model_key == model_key))
        conn.execute(insert(t.link_models).values(
            campaign=campaign, model_key=model_key, run_id=kept.run_id, trained_at=datetime.now(UTC),
            input_rows=kept.input_rows, input_digest=kept.input_digest,
            input_sketch=json.dumps(kept.input_sketch), model=json.dumps(kept.model, ensure_ascii=False)))
