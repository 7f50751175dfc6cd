"""The patient pages' colours meet WCAG 2.1 AA too (static/css/patient.css), read as
tests/tracker/test_contrast.py reads the clinic's stylesheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.tracker.test_contrast import CONTROL_RATIO, TEXT_RATIO, _rules, ratio

CSS = Path(settings.BASE_DIR) / "static" / "css" / "patient.css"
RULES = _rules(CSS.read_text())
ROOT = next(d for s, d in RULES if s == ":root")
WHITE = "#ffffff"


def colour(value: str | None) -> str | None:
    if not value:
        return None
    value = re.sub(r"var\((--[\w-]+)\)", lambda m: ROOT[m[1]], value)
    found = re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", value)
    return found[0] if found else None


def text_pairs():
    for selector, d in RULES:
        if selector == ":root":
            continue
        fg = colour(d.get("color"))
        bg = colour(d.get("background") or d.get("background-color"))
        if fg and bg:
            yield selector, fg, bg
        elif fg:
            yield selector, fg, ROOT["--page"]
            yield selector, fg, WHITE
        elif bg:
            yield selector, ROOT["--ink"], bg


PAIRS = list(text_pairs())


def test_the_stylesheet_was_read():
    assert len(PAIRS) > 10


@pytest.mark.parametrize(("selector", "fg", "bg"), PAIRS)
def test_text_colours_meet_4_5_to_1(selector, fg, bg):
    assert ratio(fg, bg) >= TEXT_RATIO, f"{selector}: {fg} on {bg} is {ratio(fg, bg):.2f}:1"


def test_answer_boxes_and_buttons_have_borders_of_3_to_1():
    borders = [
        (selector, colour(d["border"]))
        for selector, d in RULES
        if "border" in d and colour(d["border"]) and ("pchoice" in selector or "pfield" in selector)
    ]
    assert borders
    for selector, value in borders:
        assert ratio(value, WHITE) >= CONTROL_RATIO, f"{selector}: {value}"
