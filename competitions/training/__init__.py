"""Online training: attempts, grading, question selection and the mistake book."""
