"""Bench-only settings: the project's settings plus the bare comparison view's URL.

Used by bench/visit_api.py through DJANGO_SETTINGS_MODULE=bench.settings, so the
bare view never appears in the production URLs.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
