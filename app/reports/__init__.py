"""Every figure of /thong-ke, /du-lieu-mo, the coordinator's dashboard and the quarterly report, from one query
layer (`queries.py`): SQL aggregates over indexed columns."""
