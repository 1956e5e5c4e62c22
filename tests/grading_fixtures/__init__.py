"""Helpers for the grading tests: build student submissions from a real release."""
