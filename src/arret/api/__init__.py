"""The HTTP side: REST API (`/api`), web UI, public register and notice page, built by
`arret.http.app.create_app`."""
