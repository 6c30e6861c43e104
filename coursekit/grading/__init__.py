"""Batch grading: safe unpacking, the trusted judge per submission, batch reports."""
