"""The HTTP shell of `arret serve`: the application (`app`), its runtime (database,
clock, settings), the dependencies its routes share (`deps`), the one error shape
(`errors`), request limits and memory given back after bursts. `arret.api` (the JSON API)
and `arret.web` (pages) are sibling packages of routes mounted by `app`; neither imports
the other."""
