"""Generated requests against a seeded clinic: no 5xx, and an intact database after."""
