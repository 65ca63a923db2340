"""The link review page: person references the linker could not decide alone, each shown beside
the register record it proposes, with the match weights that explain the probability. An officer
accepts (the candidate becomes a `manual` link in later passes) or rejects (never proposed again);
the campaign's pass then runs again in the background."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from lamsach.backends.store.link_reviews import ACCEPTED, REJECTED, decide_link_review, link_reviews
from lamsach.campaign import CampaignSpec
from lamsach.data import load_schema
from lamsach.web.campaigns import Campaign
from lamsach.web.errors import WebError
from lamsach.web.labels import field_label, unit_label
from lamsach.web.masking import mask_id
from lamsach.web.rendering import render
from lamsach.web.security import Editor, SignedIn, Viewer

router = APIRouter()
REGISTER_FIELDS = ("full_name", "citizen_id", "date_of_birth", "sex", "address", "commune_code")


@dataclass(frozen=True)
class Side:
    """One side of the comparison: label and value per field, IDs masked where the role needs it."""

    title: str
    values: list[tuple[str, str]]


@dataclass(frozen=True)
class LinkItem:
    id: int
    dataset: str
    record_key: str
    role: str
    unit: str | None
    unit_label: str
    probability: float
    match_weight: float
    runner_up_weight: float | None
    weights: list[tuple[str, float]]
    reference: Side
    candidate: Side
    decidable: bool


@dataclass(frozen=True)
class LinksPage:
    campaign: str
    items: list[LinkItem] = field(default_factory=list)
    notice: str | None = None


def _reference(store, spec: CampaignSpec, review: dict, full: bool) -> tuple[Side, str | None]:
    record = store.record(spec.name, review["dataset"], review["record_key"])
    data = record.data if record else {}
    parts = load_schema(review["dataset"]).person_roles().get(review["role"], {})
    values = []
    for part in ("name", "id", "dob", "birth_year", "sex", "address"):
        name = parts.get(part)
        if name:
            value = data.get(name) or ""
            values.append((field_label(review["dataset"], name), value if full or part != "id" else mask_id(value)))
    return Side(f"{review['dataset']} {review['record_key']} ({review['role']})", values), record.unit if record else None


def _candidate(store, spec: CampaignSpec, review: dict, full: bool) -> Side:
    record = store.record(spec.name, "population", review["register_record"]) if review["register_record"] else None
    data = record.data if record else {"citizen_id": review["citizen_id"]}
    values = [(field_label("population", f), (data.get(f) or "") if full or f != "citizen_id"
               else mask_id(data.get(f))) for f in REGISTER_FIELDS]
    return Side(review["register_record"] or review["citizen_id"], values)


def _weights(text: str | None) -> list[tuple[str, float]]:
    try:
        parsed = json.loads(text or "{}")
    except ValueError:
        return []
    items = parsed.items() if isinstance(parsed, dict) else []
    return [(str(k), round(float(v), 2)) for k, v in items if isinstance(v, int | float)]


def _item(store, spec: CampaignSpec, viewer: Viewer, review: dict) -> LinkItem | None:
    reference, unit = _reference(store, spec, review, True)
    if not viewer.can_see_unit(unit):
        return None
    full = viewer.sees_ids(unit)
    if not full:
        reference, _ = _reference(store, spec, review, False)
    return LinkItem(review["id"], review["dataset"], review["record_key"], review["role"], unit, unit_label(unit),
                    review["match_probability"], review["match_weight"], review["runner_up_weight"],
                    _weights(review["weights"]), reference, _candidate(store, spec, review, full),
                    viewer.can_edit_unit(unit))


@router.get("/links")
def links(request: Request, viewer: SignedIn, spec: Campaign):
    store = request.app.state.store
    items = [i for i in (_item(store, spec, viewer, r) for r in link_reviews(store, spec.name)) if i]
    return render(request, "link_review.html", LinksPage(spec.name, items, request.query_params.get("notice")))


@router.post("/links/{review_id}/{decision}")
def decide(request: Request, review_id: int, decision: str, viewer: Editor, spec: Campaign,
           reason: Annotated[str, Form()] = ""):
    if decision not in ("accept", "reject"):
        raise WebError("NOT_FOUND", 404, {"id": review_id})
    store = request.app.state.store
    review = next((r for r in link_reviews(store, spec.name) if r["id"] == review_id), None)
    if review is None:
        raise WebError("NOT_FOUND", 404, {"id": review_id})
    record = store.record(spec.name, review["dataset"], review["record_key"])
    if not viewer.can_edit_unit(record.unit if record else None):
        raise WebError("FORBIDDEN_UNIT", 403, {"unit": (record.unit if record else None) or "–"})
    decide_link_review(store, review_id, ACCEPTED if decision == "accept" else REJECTED, viewer.username,
                       reason.strip() or decision)
    request.app.state.jobs.submit("recheck", spec, viewer.username, viewer.unit)
    return RedirectResponse(f"/links?notice=links.notice_{decision}", status_code=303)
