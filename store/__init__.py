"""What is not a process: stored rosters, the read model the doors answer from, sessions, the outbox.

Temporal keeps every process (timers, waiting on people, retries); this database keeps
what people look up. SQLAlchemy 2 Core tables (`store/tables.py`), migrated by Alembic
(`store/migrations/`). A SQLite file in the data directory is the embedded default;
PostgreSQL (`PEERCOACH_DATABASE_URL=postgresql://...`) is for production.
"""
