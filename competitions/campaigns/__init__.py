"""Training campaigns: their rules, standings, leaderboards and statistics."""
