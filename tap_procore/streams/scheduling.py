"""scheduling streams."""
