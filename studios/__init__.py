"""Innovation: the alliance of model-worker and craftsman innovation studios."""
