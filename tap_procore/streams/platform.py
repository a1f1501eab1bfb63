"""platform streams."""
