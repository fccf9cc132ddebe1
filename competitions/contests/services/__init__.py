"""Services of skills contests: setup, stages, staff and registration."""
