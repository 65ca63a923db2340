"""The key of the access log's subject hash: an HMAC of the citizen ID lets the inspector find
one person's entries without the log keeping the ID, and without anyone who reads the log being
able to try every ID (they would need the key).

The key is `LAMSACH_ACCESS_KEY` when set (a deployment with several servers sets the same one on
each), else a random key kept in `<data_dir>/access-log.key`, made on first use, readable by its
owner only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

ENV = "LAMSACH_ACCESS_KEY"
FILE_NAME = "access-log.key"


def access_key(data_dir: Path) -> bytes:
    if os.environ.get(ENV):
        return os.environ[ENV].encode()
    path = Path(data_dir) / FILE_NAME
    if not path.exists():
        # several server processes may make it at once: each writes a whole file of its own and
        # links it into place; the first link wins and every process reads the winner's key
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


def subject_hash(key: bytes, citizen_id: str) -> str:
    return hmac.new(key, citizen_id.encode(), hashlib.sha256).hexdigest()
