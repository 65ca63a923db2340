"""A marriage moved to another year by a planted defect takes that year's next number.

Registration numbers run per commune and year, one number a registration, as a paper book's
do; a copy of a registration is a planted `duplicate_record`, nothing else. A registration
whose date the `under_legal_age` defect moves into another year used to keep its number, which
that year's book could already hold: two different marriages under one number and date look
like one registered twice, a duplicate the truth does not record.
"""

from __future__ import annotations

import random
from collections import Counter

from lamsach.generate import build_world
from lamsach.generate.defect_library_register import under_legal_age
from lamsach.generate.defects import Job


def test_a_marriage_moved_to_another_year_takes_a_number_of_that_years_book():
    world = build_world(3000, seed=1, defects=False)
    marriages = world.datasets["marriage"]
    rng = random.Random(5)
    moved = sum(under_legal_age(Job(world, marriages, i, "wife_dob", "under_legal_age", rng))
                for i in range(len(marriages.rows)))
    assert moved > 50
    books = Counter((row["commune_code"], row["registration_no"]) for row in marriages.rows)
    shared = [key for key, n in books.items() if n > 1]
    assert not shared, f"{len(shared)} numbers used twice in one commune's book, e.g. {shared[:3]}"
