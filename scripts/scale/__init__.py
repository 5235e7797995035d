"""Scale-out helpers: PostgreSQL and Redis on loopback for the scale test and the bench."""
