"""Date formats per language (FORMAT_MODULE_PATH), over Django's own.

Django's defaults read "Nov. 30, 2026" and add a year abbreviation in Russian; readers
write "30 November 2026", "30 ноября 2026", "30 листопада 2026", "30. November 2026". Times
carry their zone: a signer in Kyiv and one in Berlin read the same moment. Numbers keep
Django's separators per language ("1,000", "1 000", "1.000").
"""
