"""English formats: the rest are Django's.

Django's short English dates are American ("12/01/2026"), which a reader in Seoul, where
dates run year-month-day, may take for the twelfth of January: short dates are ISO instead.
"""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
