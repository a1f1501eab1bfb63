"""estimating streams."""
