"""Strict JSON for text from outside (an API answer, a stored answer, a sidecar).

Python's :func:`json.loads` accepts ``NaN``, ``Infinity`` and ``-Infinity``,
turns ``1e400`` into ``inf``, builds a 5000-digit integer (or fails with a
``ValueError`` deep inside), and recurses once per nesting level. :func:`loads`
refuses all of these with a :class:`StrictJSONError` whose message is one line
and quotes nothing from the text:

- only finite numbers, at most :data:`MAX_MAGNITUDE` in size (no count, share or
  score of the project comes near it), and integers of at most
  :data:`MAX_INT_DIGITS` digits (refused before Python converts them);
- nesting at most :data:`MAX_DEPTH` arrays/objects deep (checked without
  recursion; a text nested deeper than the parser's own recursion limit is
  refused the same way);
- an object may not hold the same member name twice (the later value would
  silently win).

Whether a number is *whole* where a count is expected is the reader's rule
(:func:`sosu_analysis.national.values.parse_count_value`).
"""

from __future__ import annotations

import json
import math
from typing import Any

#: deepest nesting of arrays and objects accepted (an API answer is an array of flat row objects: depth 2)
MAX_DEPTH = 32
#: largest absolute value of a number
MAX_MAGNITUDE = 1e15
#: most digits of an integer (sign not counted)
MAX_INT_DIGITS = 15


class StrictJSONError(ValueError):
    """The text is not strict JSON; the message says why in one line (and quotes nothing)."""


def _constant(name: str) -> Any:
    raise StrictJSONError(f"holds {name}, which is not a number in JSON")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise StrictJSONError(f"holds a number larger than {MAX_MAGNITUDE:.0e} in size ({len(text)} characters)")
    return value


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise StrictJSONError(f"holds a whole number of {digits} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise StrictJSONError(f"an object gives the member name {key[:40]!r} twice")
        out[key] = value
    return out


def depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar 0, ``[]`` 1, ``[{}]`` 2), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        if level > MAX_DEPTH:
            return level
        deepest = max(deepest, level)
        stack.extend((child, level) for child in children if isinstance(child, (dict, list)))
    return deepest


def loads(text: str | bytes) -> Any:
    """Parse strict JSON (see the module docstring); bytes are decoded as UTF-8 (a BOM allowed).

    Raises
    ------
    StrictJSONError
        Not UTF-8, not JSON (with line and column), a non-finite, too large or
        too long number, a member name given twice, or nesting deeper than
        :data:`MAX_DEPTH`.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise StrictJSONError(f"is not UTF-8 text (byte {exc.start + 1})") from None
    elif text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int,
                           object_pairs_hook=_object)
    except RecursionError:
        raise StrictJSONError(f"is nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise StrictJSONError(f"is not valid JSON at line {exc.lineno}, column {exc.colno}") from None
    if depth(value) > MAX_DEPTH:
        raise StrictJSONError(f"is nested deeper than {MAX_DEPTH} levels")
    return value
