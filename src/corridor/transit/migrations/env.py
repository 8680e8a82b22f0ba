"""Alembic environment: runs against the connection handed over by corridor.transit.db.migrate."""

from alembic import context

from corridor.transit.db import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the alembic command line
    from corridor.transit.db import make_engine

    connection = make_engine().connect()
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
