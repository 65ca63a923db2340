"""The web's words, Vietnamese first: `wording/vi.yaml` and `wording/en.yaml` hold every text
the pages show, by key; `lang` (cookie or `?lang=`) picks the file. Templates call `t("key")`.

The purposes an officer may give for opening a person's record are data too
(`wording/purposes.yaml`), so the list changes by editing a file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGS = ("vi", "en")
FORMAT_VERSIONS = {1}


def _load(name: str, kind: str) -> dict[str, Any]:
    text = resources.files("lamsach.web").joinpath("wording", name).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or document.get("kind") != kind:
        raise ValueError(f"lamsach/web/wording/{name}: kind must be {kind}")
    if document.get("format_version") not in FORMAT_VERSIONS:
        raise ValueError(f"lamsach/web/wording/{name}: format_version {document.get('format_version')!r} unknown")
    return document


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@cache
def wording(lang: str) -> dict[str, Any]:
    """Every key of one language, flattened ("nav.dashboard")."""
    document = _load(f"{lang if lang in LANGS else 'vi'}.yaml", "web_wording")
    return _flatten({k: v for k, v in document.items() if k not in ("kind", "format_version")})


class Words:
    """`t("queue.title")` or `t("queue.count", n=3)` in one language; a missing key shows itself."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "vi"
        self._words = wording(self.lang)

    def __call__(self, key: str, /, **params: Any) -> str:
        text = self._words.get(key)
        if text is None:
            return key
        return str(text).format(**params) if params else str(text)

    def rule(self, code: str | None) -> str:
        """A rule's name people read (`date_in_future` -> "Ngày trong tương lai")."""
        from lamsach.data import rule_label

        return rule_label(code, self.lang)

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self._words.get(key)
        return default if value is None else str(value)


@cache
def purposes() -> dict[str, dict[str, str]]:
    """code -> {vi, en}: why someone opens a person's record or looks a fact up."""
    return {p["code"]: {"vi": p["vi"], "en": p["en"]} for p in _load("purposes.yaml", "purposes")["purposes"]}
