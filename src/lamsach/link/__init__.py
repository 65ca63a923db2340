"""Link: tie each person reference to the population register."""

from lamsach.link.by_id import LINK_COLUMNS, link_by_id

__all__ = ["LINK_COLUMNS", "link_by_id"]
