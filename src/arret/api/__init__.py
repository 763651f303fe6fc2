"""The JSON API's routes (`/api/…`): orders, operators, the transparency log, the public
register and notice lookup, `/healthz` and `/metrics`; mounted by
`arret.http.app.create_app`, beside `arret.web`'s pages."""
