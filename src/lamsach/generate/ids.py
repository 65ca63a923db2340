"""Personal ID numbers: the 12-digit `PPP G YY NNNNNN` number and the old 9-digit CMND.

`PPP` is the birth-registration province (the 63 pre-2025 codes stay valid), `G` the century
and sex (0/1 = 1900s male/female, 2/3 = 2000s, ...), `YY` the birth year, then six digits with
no check digit. One `IdIssuer` per generated province keeps every number unique, so a planted
"wrong" number never collides with a real citizen's.
"""

from __future__ import annotations

import random

FEMALE = "F"


def century_sex_digit(sex: str, birth_year: int) -> int:
    """G of the 12-digit ID: 2 x (century - 20th) + 1 for a woman."""
    return 2 * (birth_year // 100 - 19) + (1 if sex == FEMALE else 0)


def id_birth_year(citizen_id: str) -> int:
    """The birth year a 12-digit ID's G and YY digits claim."""
    return 1900 + 100 * (int(citizen_id[3]) // 2) + int(citizen_id[4:6])


def id_sex(citizen_id: str) -> str:
    """"M" or "F": the sex a 12-digit ID's G digit claims."""
    return FEMALE if int(citizen_id[3]) % 2 else "M"


def is_citizen_id(value: str) -> bool:
    return len(value) == 12 and value.isdigit()


class IdIssuer:
    """Issues unique 12-digit IDs and 9-digit CMNDs for one province, deterministically."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._issued: set[str] = set()
        self._cmnd_issued: set[str] = set()
        self._cmnd_of: dict[str, str] = {}

    def issue(self, prefix: str, sex: str, birth_year: int) -> str:
        """A new ID for a person registered at birth in `prefix`'s province."""
        head = f"{prefix}{century_sex_digit(sex, birth_year)}{birth_year % 100:02d}"
        return self._unique(head)

    def variant(self, citizen_id: str, *, g: int | None = None, yy: int | None = None) -> str:
        """An unused ID like `citizen_id` with the G and/or YY digits replaced, random tail."""
        g_digit = int(citizen_id[3]) if g is None else g
        yy_digits = int(citizen_id[4:6]) if yy is None else yy
        return self._unique(f"{citizen_id[:3]}{g_digit}{yy_digits:02d}")

    def is_issued(self, citizen_id: str) -> bool:
        return citizen_id in self._issued

    def cmnd_for(self, citizen_id: str) -> str:
        """The person's old 9-digit CMND (first digit never 0, so Excel keeps all nine)."""
        if citizen_id not in self._cmnd_of:
            while True:
                number = f"{self._rng.randrange(100_000_000, 400_000_000)}"
                if number not in self._cmnd_issued:
                    break
            self._cmnd_issued.add(number)
            self._cmnd_of[citizen_id] = number
        return self._cmnd_of[citizen_id]

    def _unique(self, head: str) -> str:
        rng = self._rng
        while True:
            candidate = f"{head}{rng.randrange(1_000_000):06d}"
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate
