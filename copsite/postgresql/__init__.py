"""Django's PostgreSQL backend, with a health check that a busy connection skips (see
`base.DatabaseWrapper`). Settings use it as the ENGINE for every PostgreSQL database."""
