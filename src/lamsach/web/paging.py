"""One page of a long list (audit log, access log, change log): the page asked for, clamped to
the first, its offset, and how many pages the total makes — the arithmetic every listing page
repeated."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paging:
    page: int
    size: int

    @classmethod
    def of(cls, page: int, size: int) -> Paging:
        return cls(max(page, 1), size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def pages(self, total: int) -> int:
        return max(1, -(-total // self.size))


def filter_value(value: str | None) -> str | None:
    """A filter from the query string: an empty field means no filter."""
    return value or None
