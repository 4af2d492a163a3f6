"""The simulator checked against the real workflows."""
