"""How the clinic reads dates and times in British English: one format everywhere,
the time zone named (T) so nobody has to guess whether a time is local."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATE_FORMAT = "j M"
SHORT_DATETIME_FORMAT = "j M, H:i T"
TIME_FORMAT = "H:i"
# What the visit form accepts: what it shows first, then the ISO forms.
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S"]
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
