"""Helpers of the bad-input sweep (tests/test_bad_input_sweep.py)."""
