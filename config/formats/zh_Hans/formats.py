"""How the clinic reads dates and times in Simplified Chinese: 2026年12月1日 21:47, the
time zone named (T) as in English, so nobody has to guess whether a time is local."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i T"
SHORT_DATE_FORMAT = "n月j日"
SHORT_DATETIME_FORMAT = "n月j日 H:i T"
TIME_FORMAT = "H:i"
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S"]
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
