"""The core: rules every app uses (errors, characters, locale, features, links, client IP, request
parsing, API lists and error shapes). It imports no app of the project; import-linter keeps it so."""
