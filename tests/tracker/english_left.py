"""Which words of a page are still English when the reader asked for Chinese.

The app's own text on a Chinese page is Chinese. What may stay in Latin letters is
what a Chinese clinical page writes that way too: units, abbreviations of tests and
scales, the clinic's and the patient's names, codes and identifiers. ALLOWED lists
them; every other run of three or more Latin letters in the page's visible text is
"English left", which the Chinese acceptance walk shows and fails on.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Units, scales and abbreviations written in Latin letters in Chinese clinical text.
ALLOWED = frozenset(
    {
        "mmHg",
        "mg",
        "kg",
        "mL",
        "dL",
        "g/L",
        "mmol",
        "µmol",
        "umol",
        "bpm",
        "ms",
        "min",
        "CTCAE",
        "PRO",
        # PRO-TECT is the name of a trial (the scanner reads it as "PRO" and "TECT").
        "TECT",
        "MedDRA",
        "RECIST",
        "ULN",
        "LLN",
        "ALT",
        "AST",
        "TSH",
        "QTc",
        "QTcF",
        "LVEF",
        "UPCR",
        "BP",
        "SBP",
        "DBP",
        "ECG",
        "MRI",
        "RAI",
        "MKI",
        "Tg",
        "TgAb",
        "mIU",  # mIU/L, the TSH unit
        "CSV",
        "PDF",
        "PNG",
        "API",
        "FHIR",
        "SDTM",
        "RET",
        "NTRK",
        "ALK",
        "BRAF",
        "ATA",
        "ESMO",
        "NCI",
        "MRN",
        "ID",
        "UTC",
        "CST",
        "GMT",
        "USPI",
        "SmPC",
        "EU",
        "US",
        "OK",
        "CKD",
        "PI",
        "RDI",
        "EPI",
        "HTML",
        "JSON",
        "URL",
        "UUID",
        "SHA",  # SHA-256, the signature hash
        "mg/day",  # the dose unit, written as the labels write it
        "Ctrl",  # key caps, as the keyboard prints them
        "Alt",
        "Enter",
        "YYYY",  # the date pattern a box asks for (YYYY-MM-DD)
        "Kaplan",  # Kaplan–Meier: the method is named after its authors
        "Meier",
    }
)
WORD = re.compile(r"[A-Za-z][A-Za-z/]{2,}")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _VisibleText(HTMLParser):
    """The text a reader sees. Skipped: scripts and styles, and any element marked
    lang="en": text shown in English on purpose (CTCAE's printed grade descriptors,
    the English original beside a translation), which the markup says is English."""

    SKIP = {"script", "style", "code", "pre", "noscript"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        skipped = tag in self.SKIP or ("lang", "en") in attrs
        if tag not in VOID:
            self.stack.append((tag, skipped))
            if skipped:
                self.depth += 1
        if skipped:
            return
        for name, value in attrs:
            # Text a reader sees without reading the markup: placeholders, button values.
            if name in {"placeholder", "aria-label", "title"} and value and not self.depth:
                self.parts.append(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        # Close up to the matching open tag (HTML lets some end tags be left out).
        while self.stack:
            open_tag, skipped = self.stack.pop()
            if skipped:
                self.depth -= 1
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def english_left(text: str, *, also_allowed: set[str] = frozenset()) -> list[str]:
    """Latin-letter words of ``text`` that are neither in ALLOWED nor ``also_allowed``
    (the names and codes of the test's own clinic, patient and users), in order, once."""
    allowed = {w.casefold() for w in ALLOWED | set(also_allowed)}
    found: list[str] = []
    for word in WORD.findall(text):
        if word.casefold() in allowed:
            continue
        parts = [p for p in word.split("/") if p]
        if all(p.casefold() in allowed or len(p) < 3 for p in parts):
            continue
        if word not in found:
            found.append(word)
    return found
