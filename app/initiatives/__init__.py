"""Initiatives and solutions under Resolution 57: challenges (bài toán), assessment against weighted criteria,
decisions, the adoption register and public support. See docs/initiatives.md."""
