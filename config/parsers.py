"""What the API reads and how it answers: JSON within sane bounds, nothing else in production.

Python's JSON decoder recurses once per nesting level and turns any run of digits
into an integer, so a body of a thousand "[" (or a 400-digit dose) used to reach
the views and end in a 500. The parser refuses both with the API's error shape
before any view sees them; nothing the tracker accepts comes close to the bounds.
"""

from __future__ import annotations

import codecs
import json
import math

from django.utils.translation import gettext as _
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError

# The deepest request the API takes is a batch evaluation: array > scenario >
# observations > observation > readings > reading, six levels.
JSON_MAX_DEPTH = 32
# Longer than any real number ("-1.2345678901234567e-308" is 24 characters).
JSON_MAX_NUMBER_CHARS = 32


class _Refused(ValueError):
    pass


def _number_literal(text: str) -> str:
    if len(text) > JSON_MAX_NUMBER_CHARS:
        raise _Refused(
            _("a number longer than %(limit)s characters") % {"limit": JSON_MAX_NUMBER_CHARS}
        )
    return text


def _int(text: str) -> int:
    return int(_number_literal(text))


def _float(text: str) -> float:
    value = float(_number_literal(text))
    if not math.isfinite(value):
        raise _Refused(_("the number %(number)s is out of range") % {"number": text})
    return value


def _constant(name: str):
    raise _Refused(_("%(name)s is not a number JSON allows") % {"name": name})


def depth_of(value) -> int:
    """How deeply arrays and objects nest in a decoded JSON value (a scalar is 0)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level > JSON_MAX_DEPTH:
            break
        pending.extend((child, level + 1) for child in children)
    return deepest


def _too_deep() -> str:
    return _("JSON nested more than %(limit)s levels deep.") % {"limit": JSON_MAX_DEPTH}


def loads(text: str):
    """Decodes a JSON request body, or raises ParseError saying what is refused."""
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise ParseError(_too_deep()) from None
    except _Refused as refused:
        raise ParseError(_("JSON refused: %(why)s.") % {"why": refused}) from None
    except ValueError as exc:
        raise ParseError(f"JSON parse error - {exc}") from None
    if depth_of(value) > JSON_MAX_DEPTH:
        raise ParseError(_too_deep())
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit and a length limit on numbers."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return loads(text)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API (DEBUG only), without the filter form our views do not have.

    DRF builds that form from view.get_queryset(), which views that answer from
    selectors (visits, the dose ledger) do not define: the page was a 500.
    """

    def get_filter_form(self, data, view, request):
        if not getattr(view, "filter_backends", None):
            return None
        return super().get_filter_form(data, view, request)
