"""Comparisons across survey waves and within one wave."""
