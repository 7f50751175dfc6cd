"""CTCAE v5.0 terms, grading from measurements, and PRO-CTCAE composite grades.

Pure Python (no Django): ``terms`` holds the term texts as data, ``grading``
turns measurements into CTCAE grades, ``pro`` computes PRO-CTCAE composite
grades (which are not CTCAE grades). Source of every clinical fact:
docs/sources/reference.md.
"""

from __future__ import annotations
