"""The words of the key-database view, vi or en, from `data/messages/key_databases.yaml`."""

from __future__ import annotations

from functools import cache

from lamsach.data import fill_template, load_yaml


@cache
def _messages() -> dict[str, dict[str, str]]:
    return load_yaml("messages/key_databases.yaml", "messages")["messages"]


def database_words(key: str, lang: str = "vi", **values: object) -> str:
    """One phrase, its placeholders filled: `database_words("stage_cleaned", "en")`."""
    entry = _messages()[key]
    return fill_template(entry.get(lang) or entry["vi"], values)
