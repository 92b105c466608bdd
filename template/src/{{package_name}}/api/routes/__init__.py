"""Route modules, one per concern."""
