"""equipment streams."""
