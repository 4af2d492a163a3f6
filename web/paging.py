"""Lists that grow with a cohort are shown a page at a time, so no page grows with the cohort.

A cohort of 1,000 coaches has 1,000 rows of attendance, 1,000 partnerships and
thousands of notifications; each list shows PAGE_ROWS of them with links to the
pages either side, and the API gives at most API_MAX_ROWS a call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import Query, Request
from pydantic import BaseModel

from store.read_model import Page

PAGE_ROWS = 50  # a page of any list: 50 attendance rows of eight sessions are about 20 KB of HTML
API_MAX_ROWS = 100  # a partnership is up to about 1 KB of JSON with a long focus: 100 stay under 150 KB

Row = TypeVar("Row", bound=BaseModel)
OFFSET_MAX = 2**63 - 1  # the largest offset a database takes: a bigger one is refused as bad input, not a crash
Offset = Annotated[int, Query(ge=0, le=OFFSET_MAX)]  # a query parameter: where a page of a list starts
Limit = Annotated[int, Query(ge=1, le=API_MAX_ROWS)]  # a query parameter of the API: how many rows at most


def page_of(rows: list[Row], offset: int, limit: int = PAGE_ROWS) -> Page[Row]:
    """One page of a list that is already at hand (a school's release requests, a coach's own partnerships)."""
    return Page[Row](rows=rows[offset : offset + limit], total=len(rows), offset=offset, limit=limit)


@dataclass(frozen=True)
class Pager:
    """Where this page of a list is, and links to the pages either side that keep every other query parameter.

    `param` is the query parameter that holds this list's offset: a page with several
    lists (the dashboard) pages each on its own. `anchor` is the list's heading's id,
    so a link lands on the list rather than the top of the page.
    """

    path: str
    query: dict[str, str]
    param: str
    anchor: str
    offset: int
    limit: int
    shown: int
    total: int

    @classmethod
    def of(cls, request: Request, param: str, anchor: str, page: Page[Row], query: dict[str, str] | None = None) -> Pager:
        """The pager of this page of a list; `query` is what the links keep, if not the request's own query."""
        kept = dict(request.query_params) if query is None else query
        return cls(request.url.path, kept, param, anchor, page.offset, page.limit, len(page.rows), page.total)

    @property
    def first(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return self.offset + self.shown

    @property
    def previous(self) -> str | None:
        return self._link(max(self.offset - self.limit, 0)) if self.offset > 0 else None

    @property
    def next(self) -> str | None:
        return self._link(self.offset + self.limit) if self.offset + self.limit < self.total else None

    def _link(self, offset: int) -> str:
        # A path, not a whole URL: behind a proxy the address the app sees is not the visitor's.
        return f"{self.path}?{urlencode(self.query | {self.param: str(offset)})}#{self.anchor}"
