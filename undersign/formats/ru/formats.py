# "E": the month in the genitive ("30 ноября"), as a date is written in a sentence.
DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i T"
