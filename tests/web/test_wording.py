"""The web's words: both languages have the same keys and placeholders, and every key the
templates and routes use exists."""

from __future__ import annotations

import re
import string
from importlib import resources

from lamsach.web.wording import purposes, wording

KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[\w.]*)["']""")
ERROR_CODE = re.compile(r"""WebError\(\s*["']([A-Z_]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(text)) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    vi, en = wording("vi"), wording("en")
    assert set(vi) == set(en)
    for key in vi:
        assert _placeholders(vi[key]) == _placeholders(en[key]), key


def test_every_key_used_exists():
    web = resources.files("lamsach.web")
    texts = [p.read_text(encoding="utf-8") for p in web.joinpath("templates").iterdir()]
    texts += [p.read_text(encoding="utf-8") for p in web.iterdir() if p.name.endswith(".py")]
    used = {k for text in texts for k in KEY.findall(text)}
    codes = {c for text in texts for c in ERROR_CODE.findall(text)}
    known = wording("vi")
    assert used and not sorted(k for k in used if k not in known and not k.endswith("."))
    assert not sorted(c for c in codes if f"errors.{c}" not in known)


def test_purposes_have_both_languages():
    assert purposes() and all(set(words) == {"vi", "en"} and all(words.values()) for words in purposes().values())
