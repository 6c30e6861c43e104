"""Models of the assignment."""
