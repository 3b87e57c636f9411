"""The consistency check: every statement about the same quantity in the report says the same thing.

Every verdict sentence and every number quoted in several places is wrapped in a span naming its
quantity (``data-maengde``) with its strength and p-value (``data-styrke``, ``data-p``) or its value
(``data-vaerdi``) (:func:`~.uncertainty.mark`, :func:`~.uncertainty.mark_value`). :func:`claims` reads
them back from the rendered HTML and :func:`contradictions` lists every quantity stated in two different
ways — e.g. a trend called "kan ikke afgøres" in one section and "sandsynligvis" in another because the
second used another dispersion. ``make test`` runs it on the shipped data and on two other extracts.
"""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser


class _Claims(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        q = a.get("data-maengde")
        if q:
            self.found.append((q, tuple(a.get(k) or "" for k in ("data-styrke", "data-p", "data-vaerdi"))))


def claims(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every marked statement in ``html``: ``(quantity, (strength, p, value))``."""
    parser = _Claims()
    parser.feed(html)
    return parser.found


def contradictions(*documents: str) -> dict[str, set[tuple[str, ...]]]:
    """Return the quantities stated in more than one way across ``documents`` (empty: consistent)."""
    seen: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for doc in documents:
        for q, said in claims(doc):
            seen[q].add(said)
    return {q: s for q, s in seen.items() if len(s) > 1}
