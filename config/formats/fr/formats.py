# Belgian conventions in every portal language: dates as dd/mm/yyyy, times on the 24-hour clock.
# The default formats are the short ones, so a date rendered without a format (an email's
# {{ move_out_date }}, an organisation's own wording) reads as on the pages.
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
FIRST_DAY_OF_WEEK = 1
