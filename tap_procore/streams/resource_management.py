"""resource_management streams."""
