"""Reading a gettext catalogue (.po) with plain Python, to check it before it ships.

The tracker's Simplified Chinese catalogue (locale/zh_Hans/LC_MESSAGES/django.po) must
be complete (no entry untranslated or fuzzy), keep every placeholder of the English
text (``%(name)s``, ``%s``, ``{name}``), and name its language in the header. Clinical
wording not taken from a published translation carries a translator comment starting
``review:`` until a bilingual clinician has checked it (docs/translation.md);
``review_entries`` lists those entries.

Only the parts of the PO format the catalogue uses are read: translator comments
(``# ...``), extracted comments (``#.``), references (``#:``), flags (``#,``),
``msgctxt``, ``msgid``, ``msgid_plural``, ``msgstr`` and ``msgstr[n]`` with their
continuation lines. Obsolete entries (``#~``) and previous strings (``#|``) are
skipped. No Django import: tests/config/test_catalogue.py runs it with the suite. The
placeholder check also covers entries msgfmt's --check-format skips (those without a
format flag).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

REVIEW_PREFIX = "review:"

_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}

# printf-style conversions as Python's % operator reads them; "%%" is a literal percent.
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?"  # a mapping key
    r"[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"  # flags, width, precision, length
    r"(?P<kind>[diouxXeEfFgGcrsa%])"
)
# str.format fields: {name}, {0}, {}, {name!r:>10}; "{{" and "}}" are literal braces.
_BRACE = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")
_KEYWORD = re.compile(
    r"^(?P<key>msgctxt|msgid_plural|msgid|msgstr(?:\[(?P<index>\d+)\])?)\s+(?P<rest>\".*)$"
)


class CatalogueError(ValueError):
    """The file is not a PO catalogue this reader understands; the message names the line."""


@dataclass
class Entry:
    """One message of the catalogue: the English text, its translation(s) and comments."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry
    translator_comments: list[str] = field(default_factory=list)
    extracted_comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0  # where the entry's msgid is, 1-based

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def for_review(self) -> bool:
        return any(c.startswith(REVIEW_PREFIX) for c in self.translator_comments)

    def translations(self, nplurals: int = 1) -> list[str]:
        """The translated forms that count: msgstr, or msgstr[0..nplurals-1] of a plural."""
        if self.msgid_plural is None:
            return [self.msgstr.get(0, "")]
        return [self.msgstr.get(n, "") for n in range(nplurals)]

    def is_translated(self, nplurals: int = 1) -> bool:
        return all(self.translations(nplurals))


def _unquote(text: str, line: int) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise CatalogueError(f"line {line}: expected a quoted string, got {text!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _ESCAPES:
                raise CatalogueError(f"line {line}: unknown escape in {text!r}")
            out.append(_ESCAPES[body[i + 1]])
            i += 2
            continue
        if char == '"':
            raise CatalogueError(f"line {line}: unescaped quote in {text!r}")
        out.append(char)
        i += 1
    return "".join(out)


def parse(text: str) -> list[Entry]:
    """Every entry of a PO file's text, the header (msgid "") first if it has one."""
    entries: list[Entry] = []
    entry = Entry()
    started = False  # the current entry has a keyword already
    target: tuple[str, int] | None = None  # the keyword continuation lines extend

    def finish() -> None:
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~") or line.startswith("#|"):
            continue
        if line.startswith("#"):
            if started:  # a comment after the strings begins the next entry
                finish()
            marker, rest = line[:2], line[2:].strip()
            if marker == "#.":
                entry.extracted_comments.append(rest)
            elif marker == "#:":
                entry.references.extend(rest.split())
            elif marker == "#,":
                entry.flags.update(f.strip() for f in rest.split(",") if f.strip())
            else:
                entry.translator_comments.append(line[1:].strip())
            continue
        if line.startswith('"'):
            if target is None:
                raise CatalogueError(f"line {number}: a string outside any keyword")
            _append(entry, target, _unquote(line, number))
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise CatalogueError(f"line {number}: not a PO line: {line!r}")
        key = match["key"]
        if key in ("msgctxt", "msgid") and started and (entry.msgstr or key == "msgctxt"):
            finish()  # entries not separated by a blank line
        started = True
        value = _unquote(match["rest"], number)
        if key.startswith("msgstr"):
            index = int(match["index"]) if match["index"] is not None else 0
            target = ("msgstr", index)
        else:
            target = (key, 0)
            if key == "msgid":
                entry.line = number
        _set(entry, target, value)
    finish()
    return entries


def _set(entry: Entry, target: tuple[str, int], value: str) -> None:
    key, index = target
    if key == "msgstr":
        entry.msgstr[index] = value
    elif key == "msgid":
        entry.msgid = value
    elif key == "msgid_plural":
        entry.msgid_plural = value
    else:
        entry.msgctxt = value


def _append(entry: Entry, target: tuple[str, int], value: str) -> None:
    key, index = target
    if key == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + value
    elif key == "msgid":
        entry.msgid += value
    elif key == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + value
    else:
        entry.msgctxt = (entry.msgctxt or "") + value


def read(path: str | Path) -> list[Entry]:
    """The entries of the PO file at path (UTF-8)."""
    return parse(Path(path).read_text(encoding="utf-8"))


def header(entries: list[Entry]) -> dict[str, str]:
    """The header's fields ("Language" -> "zh_Hans", ...); empty if there is no header."""
    for entry in entries:
        if entry.is_header:
            fields: dict[str, str] = {}
            for row in entry.msgstr.get(0, "").splitlines():
                name, sep, value = row.partition(":")
                if sep:
                    fields[name.strip()] = value.strip()
            return fields
    return {}


def nplurals(entries: list[Entry]) -> int:
    """How many plural forms the header's Plural-Forms gives (1 for Chinese); 2 if unsaid."""
    match = re.search(r"nplurals\s*=\s*(\d+)", header(entries).get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def messages(entries: list[Entry]) -> list[Entry]:
    """The entries a translator translates: all but the header."""
    return [e for e in entries if not e.is_header]


def percent_placeholders(text: str) -> set[str]:
    """The %-conversions of a text: "%(name)s", "%s", "%d"; "%%" is not one."""
    return {m.group(0) for m in _PERCENT.finditer(text) if m["kind"] != "%"}


def brace_placeholders(text: str) -> set[str]:
    """The str.format fields of a text, by name: "{symptom}" -> "symptom"; "{{" is not one."""
    return {m["field"] for m in _BRACE.finditer(text) if m["field"] is not None}


def placeholder_problems(entry: Entry, plural_forms: int = 1) -> list[str]:
    """What each translation of the entry drops or adds of its English placeholders."""
    source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
    problems = []
    for n, text in enumerate(entry.translations(plural_forms)):
        if not text:
            continue
        for kind, found in (("%", percent_placeholders), ("{}", brace_placeholders)):
            want, have = found(source), found(text)
            if want != have:
                form = f"msgstr[{n}]" if entry.msgid_plural is not None else "msgstr"
                problems.append(
                    f"line {entry.line} {form}: {kind}-placeholders "
                    f"missing {sorted(want - have)}, added {sorted(have - want)}"
                )
    return problems


def untranslated(entries: list[Entry]) -> list[Entry]:
    """Messages with an empty translation (any plural form the language has) or fuzzy."""
    forms = nplurals(entries)
    return [e for e in messages(entries) if e.is_fuzzy or not e.is_translated(forms)]


def review_entries(entries: list[Entry]) -> list[Entry]:
    """Messages whose translator comment starts "review:": wording a clinician checks."""
    return [e for e in messages(entries) if e.for_review]
