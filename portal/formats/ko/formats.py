"""Korean formats: the rest are Django's.

Django writes a date with a time as "2026년 12월 1일 1:04 오후", the time in English order;
Korean puts 오전/오후 first ("오후 1:04"), as Django's own TIME_FORMAT does.
"""

DATETIME_FORMAT = "Y년 n월 j일 A g:i"
