"""British English reads dates as en_GB does (one format, the zone named)."""

from config.formats.en_GB.formats import *  # noqa: F403
