"""Read what a visitor sees in a page's tables, without a browser."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self, table_class: str) -> None:
        super().__init__()
        self.table_class = table_class
        self.depth = 0  # >0 while inside the wanted table
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table":
            if self.depth or self.table_class in classes:
                self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(body: str, table_class: str) -> list[list[str]]:
    """Every row of the first table with this class, as the texts of its cells."""
    parser = _Tables(table_class)
    parser.feed(body)
    return parser.rows


def row_for(rows: list[list[str]], name: str) -> list[str]:
    """The row whose header cell (the team) contains `name`."""
    found = [row for row in rows if len(row) > 1 and name in row[1]]
    assert len(found) == 1, f"{name!r} is in {len(found)} rows of {rows}"
    return found[0]
