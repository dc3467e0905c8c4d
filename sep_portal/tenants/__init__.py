"""Government bodies (tenants of SEP)."""
