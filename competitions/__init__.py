"""Skills: online training, question banks and skills contests."""
