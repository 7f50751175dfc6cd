"""The app's own colours meet WCAG 2.1 AA, read from the stylesheet the pages use.

Text 4.5:1 against its background (1.4.3), the borders that show where a control is
3:1 against the page (1.4.11). Each rule of static/css/tracker.css is read: a rule
that sets both a text colour and a background is checked as a pair; a text colour
alone is checked against both page backgrounds (the body's and a card's white); a
background alone against the ink it inherits; the border of every form control
against white. Variables (``var(--x)``) are resolved from ``:root``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR) / "static" / "css" / "tracker.css"
TEXT_RATIO = 4.5  # WCAG 2.1 1.4.3 contrast (minimum), normal text
CONTROL_RATIO = 3.0  # WCAG 2.1 1.4.11 non-text contrast, component boundaries
CONTROLS = ("input", "select", "textarea")
# Rules whose colour is not text on a page background: decoration drawn on a colour
# of its own (a border stripe), or a colour the browser never shows as text.
NOT_TEXT = {".worklist tr.urgent td:first-child"}


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of #rgb or #rrggbb."""
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rules(text: str) -> list[tuple[str, dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", r"\1", text)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = {}
        for part in body.split(";"):
            if ":" in part:
                name, value = part.split(":", 1)
                declarations[name.strip()] = value.strip()
        rules.append((" ".join(selector.split()), declarations))
    return rules


RULES = _rules(CSS.read_text())
ROOT = next(d for s, d in RULES if s == ":root")
PAGE = ROOT.get("--page", "#f6f8fa")
CARD = "#ffffff"


def _colour(value: str | None) -> str | None:
    """The first colour in a declaration value, variables resolved; None if there is none."""
    if not value:
        return None
    value = re.sub(r"var\((--[\w-]+)\)", lambda m: ROOT[m[1]], value)
    found = re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", value)
    if found:
        return found[0]
    if re.search(r"\b(white|#fff)\b", value):
        return "#ffffff"
    return None


def _text_pairs():
    for selector, declarations in RULES:
        if selector == ":root" or selector in NOT_TEXT:
            continue
        fg = _colour(declarations.get("color"))
        bg = _colour(declarations.get("background") or declarations.get("background-color"))
        if declarations.get("color", "").startswith(("inherit", "currentColor")):
            fg = None
        if fg and bg:
            yield selector, fg, bg
        elif fg:
            yield selector, fg, PAGE
            yield selector, fg, CARD
        elif bg:
            yield selector, ROOT["--ink"], bg


TEXT_PAIRS = list(_text_pairs())


def test_the_stylesheet_was_read():
    assert len(TEXT_PAIRS) > 40
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("selector", "fg", "bg"), TEXT_PAIRS)
def test_text_colours_meet_4_5_to_1(selector, fg, bg):
    assert ratio(fg, bg) >= TEXT_RATIO, f"{selector}: {fg} on {bg} is {ratio(fg, bg):.2f}:1"


def test_form_controls_have_a_border_of_3_to_1():
    borders = [
        _colour(declarations.get("border"))
        for selector, declarations in RULES
        if any(c in selector.split(",")[0].split() for c in CONTROLS)
        or selector.startswith(CONTROLS)
        if _colour(declarations.get("border"))
    ]
    assert borders, "no border on the form controls"
    for colour in borders:
        assert ratio(colour, CARD) >= CONTROL_RATIO, f"{colour}: {ratio(colour, CARD):.2f}:1"
