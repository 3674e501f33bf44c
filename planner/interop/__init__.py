"""Exchange formats: pure builders of files that other tools read."""
