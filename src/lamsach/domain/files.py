"""Files a manifest names: by URL rather than by path, and how large one may be.

At national scale a province's files sit on shared storage every Spark executor reads (HDFS, S3
through `s3a://`, Azure through `abfss://`, …), not in a folder beside the manifest. A source
whose `path:` starts with a scheme (`hdfs://namenode/tinh-38/land/16012.xlsx`) is such a file.
As with paths, a manifest may not be a way to read anything the server can reach: a URL must
start with one of the prefixes the administrator allows (the `source_urls` setting), and may
not climb out of it with `..`.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from lamsach.domain.errors import ErrorCode, LamsachError, Location

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(text: str) -> bool:
    """Whether a manifest's `path:` is a URL (a scheme and `://`), not a path on this machine."""
    return bool(_SCHEME.match(text))


def scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def file_name(url: str) -> str:
    """The file's name: the last part of the URL's path (its extension says how it is read)."""
    return posixpath.basename(unquote(urlsplit(url).path))


def local_path(url: str) -> str:
    """The path on this machine a `file://` URL names."""
    return unquote(urlsplit(url).path)


def hadoop_path(url: str) -> str:
    """The URL as Hadoop's file systems take it: percent-escapes decoded (a Hadoop path holds
    spaces and Vietnamese letters as they are) and the characters of its globs (`*?[]{}`)
    escaped, so a file named "Dân cư [xã 1].csv" is that one file, not a pattern."""
    return re.sub(r"([*?\[\]{}])", r"\\\1", unquote(url))


def same_file(found: str, url: str) -> bool:
    """Whether the path a file system reports (`file:/tmp/a.csv`, `hdfs://nn:8020/x/a.csv`) is
    the file `url` names: the same path, whatever the escapes and the host's spelling."""
    return unquote(urlsplit(found).path).rstrip("/") == unquote(urlsplit(url).path).rstrip("/")


def allowed_prefix(url: str, prefixes: tuple[str, ...]) -> str | None:
    """The prefix of `prefixes` the URL lies under, compared part by part (scheme and host
    without case), None when none or when the URL has a `..` or `.` part."""
    parts = urlsplit(url)
    segments = unquote(parts.path).split("/")
    if any(segment in ("..", ".") for segment in segments):
        return None
    for prefix in prefixes:
        allowed = urlsplit(prefix)
        if (allowed.scheme.lower(), allowed.netloc.lower()) != (parts.scheme.lower(), parts.netloc.lower()):
            continue
        folder = unquote(allowed.path).rstrip("/")
        if unquote(parts.path).startswith(folder + "/"):
            return prefix
    return None


def check_size(size: int, max_bytes: int | None, file: str) -> None:
    """Refuse a file over `max_bytes` (the `max_source_file_mb` setting) before it is read."""
    if max_bytes is not None and size > max_bytes:
        raise LamsachError(ErrorCode.INGEST_FILE_TOO_LARGE, Location(file=file),
                           {"size": f"{size / 1e6:.1f}", "limit": f"{max_bytes / 1e6:g}"})
