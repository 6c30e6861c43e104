"""Gradescope export: the autograder bundle and its run_autograder entry point."""
