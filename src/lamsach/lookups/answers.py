"""The answers agencies get: the few fields a scope names, never the record, each with the
register's own update date (`as_of`) and the six criteria still open on the records behind it.

Every function takes a checked citizen ID and returns a plain dict (the web layer masks the ID
and logs the answer); none of them returns a value the agency did not ask about.
"""

from __future__ import annotations

from functools import cache

from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore
from lamsach.data import load_yaml, read_csv
from lamsach.lookups import facts
from lamsach.lookups.facts import Fact

DEAD = "Đã chết"
SPOUSE = {"husband_id": "wife_id", "wife_id": "husband_id"}


@cache
def _dead_words() -> frozenset[str]:
    """Every spelling the life-status code table maps to “Đã chết”."""
    return frozenset(r["value"].strip().lower() for r in read_csv("code_tables/life_status.csv") if r["code"] == DEAD)


@cache
def _spouse_words() -> frozenset[str]:
    words = load_yaml("catalogues/api_scopes.yaml", "catalogue")["spouse_relations"]
    return frozenset(w.strip().lower() for w in words)


def register_dead(data: dict) -> bool:
    return bool(data.get("date_of_death")) or (data.get("status") or "").strip().lower() in _dead_words()


def warm_up(store: SqlAlchemyStore) -> None:
    """Each lookup once for an ID no register holds (`web.api_v1.warm_up`)."""
    _dead_words(), _spouse_words()
    for kind in facts.KINDS:
        facts.gather(store, kind, **facts.NOBODY[kind])


def quality(behind: list[Fact]) -> dict:
    open_ = sorted(set().union(*(f.open_criteria for f in behind)))
    return {"passes_all": not open_, "open_criteria": open_, "records": len(behind)}


def residence(store: SqlAlchemyStore, citizen_id: str, commune: str) -> dict:
    """Does the citizen permanently reside in `commune`, as the register says (and is alive)."""
    person = facts.newest(facts.gather(store, "person", citizen_id=citizen_id)["person"])
    resides = bool(person and not register_dead(person.data) and person.data.get("commune_code") == commune)
    behind = [person] if person else []
    return {"found": person is not None, "commune": commune, "resides": resides,
            "as_of": person.as_of if person else None, "quality": quality(behind)}


def life_status(store: SqlAlchemyStore, citizen_id: str) -> dict:
    """Alive or dead per the register and the death registrations, and where they disagree."""
    found_ = facts.gather(store, "life", citizen_id=citizen_id)
    person, deaths = facts.newest(found_["person"]), found_["deaths"]
    in_register = bool(person and register_dead(person.data))
    dead = bool(deaths) or in_register
    disagreements = []
    if deaths and person and not in_register:
        disagreements.append("death_not_in_register")
    if in_register and not deaths:
        disagreements.append("no_death_registration")
    found = person is not None or bool(deaths)
    date = (person.data.get("date_of_death") if person else None) or next(
        (d.data.get("date_of_death") for d in deaths if d.data.get("date_of_death")), None)
    behind = ([person] if person else []) + deaths
    return {"found": found, "status": ("dead" if dead else "alive") if found else None,
            "date_of_death": date if dead else None, "disagreements": disagreements,
            "as_of": person.as_of if person else None, "quality": quality(behind)}


def _dead_spouses(store: SqlAlchemyStore, spouses: set[str]) -> set[str]:
    """Which of these citizens are dead per the register or a death registration (one statement)."""
    if not spouses:
        return set()
    found = facts.gather(store, "dead", citizen_ids=sorted(spouses))
    newest: dict[str, Fact] = {}
    for person in found["person"]:
        known = newest.get(person.data.get("citizen_id"))
        if known is None or person.published_at > known.published_at:
            newest[person.data.get("citizen_id")] = person
    dead = {cid for cid, person in newest.items() if register_dead(person.data)}
    return dead | {str(d.data.get("deceased_id")) for d in found["deaths"]}


def marital_status(store: SqlAlchemyStore, citizen_id: str) -> dict:
    """Married / not married / widowed per the marriage registrations, cross-checked with the
    register's household relation, with any disagreement stated."""
    found = facts.gather(store, "marital", citizen_id=citizen_id)
    person, marriages = facts.newest(found["person"]), found["marriages"]
    spouses = []
    for marriage in marriages:
        role = next(f for f in SPOUSE if marriage.data.get(f) == citizen_id)
        spouses.append(str(marriage.data.get(SPOUSE[role]) or ""))
    dead = _dead_spouses(store, {s for s in spouses if s})
    living = sum(1 for spouse in spouses if not spouse or spouse not in dead)
    status = "married" if living else ("widowed" if marriages else "not_married")
    register_spouse = bool(person and (person.data.get("relation_to_head") or "").strip().lower() in _spouse_words())
    disagreements = []
    if register_spouse and not living:
        disagreements.append("register_spouse_without_marriage")
    if living > 1:
        disagreements.append("several_marriages")
    behind = ([person] if person else []) + marriages
    return {"found": person is not None or bool(marriages), "status": status,
            "register_spouse": register_spouse, "disagreements": disagreements,
            "as_of": person.as_of if person else None, "quality": quality(behind)}


def land_rights(store: SqlAlchemyStore, citizen_id: str, commune: str, map_sheet: str, parcel_no: str) -> dict:
    """Does the citizen hold a right on this parcel, as the land records say."""
    records = facts.gather(store, "parcel", commune=commune, map_sheet=map_sheet, parcel_no=parcel_no)["parcel"]
    holds = any(str(r.data.get("owner_id") or "") == citizen_id for r in records)
    as_of = max((r.as_of for r in records if r.as_of), default=None)
    return {"parcel_found": bool(records), "commune": commune, "map_sheet": map_sheet, "parcel_no": parcel_no,
            "holds": holds, "as_of": as_of, "quality": quality(records)}


def land_parcels(store: SqlAlchemyStore, citizen_id: str) -> dict:
    """The parcels the land records list the citizen as holding: where, and the land use."""
    records = facts.gather(store, "owned", citizen_id=citizen_id)["owned"]
    parcels = [{"commune": r.unit or r.data.get("commune_code"), "map_sheet": str(r.data.get("map_sheet") or ""),
                "parcel_no": str(r.data.get("parcel_no") or ""), "land_use_code": r.data.get("land_use_code")}
               for r in records]
    as_of = max((r.as_of for r in records if r.as_of), default=None)
    return {"parcels": parcels, "as_of": as_of, "quality": quality(records)}
