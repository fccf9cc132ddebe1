"""Question banks: the questions of each trade, their import, export and statistics."""
