"""Skills contests: setup, registration, lot drawing, theory, marking, results, appeals."""
