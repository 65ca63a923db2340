"""The scopes an agency can be given and the purposes each allows (data: catalogues/api_scopes.yaml)."""

from __future__ import annotations

from functools import cache

from lamsach.data import load_yaml


@cache
def scopes() -> dict[str, tuple[str, ...]]:
    """scope -> the purposes it allows, in the file's order."""
    document = load_yaml("catalogues/api_scopes.yaml", "catalogue")
    return {name: tuple(spec["purposes"]) for name, spec in document["scopes"].items()}


@cache
def scope_paths() -> dict[str, str]:
    """scope -> its path under /api/v1/."""
    document = load_yaml("catalogues/api_scopes.yaml", "catalogue")
    return {name: spec["path"] for name, spec in document["scopes"].items()}


def default_purposes(chosen: list[str]) -> list[str]:
    """Every purpose the chosen scopes allow, each once, in catalogue order."""
    found: list[str] = []
    for scope in chosen:
        found.extend(p for p in scopes()[scope] if p not in found)
    return found


def allowed_purposes(scope: str, declared: tuple[str, ...]) -> list[str]:
    """The purposes a client may give for a lookup of `scope`: its declared ones the scope allows."""
    return [p for p in scopes()[scope] if p in declared]
