"""Use cases over a database session; the only layer that commits."""
