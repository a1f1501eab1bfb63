"""tap-procore: a Singer tap for Procore, built on the Meltano Singer SDK."""
