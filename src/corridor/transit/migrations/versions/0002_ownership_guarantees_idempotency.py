"""ownership and hardening: carrier binding, party deactivation, holder-scoped guarantees, indexed declaration
references, idempotency keys (replacing the api-level ``idempotency`` table)

Revision ID: 0002
Revises: 0001
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_HOLDS = ("under_control", "released", "in_transit", "arrived")


def upgrade() -> None:
    with op.batch_alter_table("parties") as b:
        b.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        b.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("declarations") as b:
        b.add_column(sa.Column("carrier_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("wagons", sa.JSON(), nullable=True))
        b.create_foreign_key("fk_declaration_carrier", "parties", ["carrier_id"], ["id"])
        b.create_index("ix_declaration_carrier", ["carrier_id"])
    with op.batch_alter_table("events") as b:
        b.create_index("ix_event_train", ["train_number"])
        b.create_index("ix_event_party", ["party_id", "seq"])
    with op.batch_alter_table("deliveries") as b:
        b.create_index("ix_delivery_subscription", ["subscription_id"])
    op.create_table(
        "declaration_refs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("declaration_id", sa.Integer(), sa.ForeignKey("declarations.id"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.CheckConstraint("kind in ('container','wagon','office')", name="ck_ref_kind"),
    )
    op.create_index("ix_ref_kind_value", "declaration_refs", ["kind", "value"])
    op.create_index("ix_ref_declaration", "declaration_refs", ["declaration_id"])
    op.create_table(
        "guarantees",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("holder_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("reference", sa.String(24), nullable=False),
        sa.Column("guarantor", sa.String(200), nullable=True),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reserved_usd", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("holder_id", "reference", name="uq_guarantee_holder_reference"),
        sa.CheckConstraint("amount >= 0", name="ck_guarantee_nonnegative"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("party_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("party_id", "key", name="uq_idempotency_key_party_key"),
        sa.CheckConstraint("state in ('in_flight','done')", name="ck_idempotency_state"),
    )
    op.drop_table("idempotency")  # the api-level answers of schema 0001, replaced by idempotency_keys
    _backfill()


def _backfill() -> None:
    """Refs and guarantees of declarations stored under schema 0001 (amounts held by open movements reserved)."""
    conn = op.get_bind()
    decl = sa.table(
        "declarations",
        sa.column("id"),
        sa.column("holder_id"),
        sa.column("status"),
        sa.column("containers", sa.JSON),
        sa.column("office_departure"),
        sa.column("office_destination"),
        sa.column("offices_transit", sa.JSON),
        sa.column("guarantee_reference"),
        sa.column("guarantee_amount"),
        sa.column("guarantee_currency"),
        sa.column("amount_at_risk"),
        sa.column("created_at"),
    )
    refs, guarantees, reserved = [], {}, defaultdict(float)
    for d in conn.execute(sa.select(decl)).mappings():
        refs += [{"declaration_id": d["id"], "kind": "container", "value": c} for c in d["containers"] or []]
        offices = {d["office_departure"], d["office_destination"], *(d["offices_transit"] or [])}
        refs += [{"declaration_id": d["id"], "kind": "office", "value": o} for o in sorted(offices)]
        key = (d["holder_id"], d["guarantee_reference"])
        guarantees.setdefault(key, (d["guarantee_amount"], d["guarantee_currency"], d["created_at"]))
        if d["status"] in _HOLDS:
            reserved[key] += d["amount_at_risk"] or 0.0
    if refs:
        op.bulk_insert(sa.table("declaration_refs", sa.column("declaration_id"), sa.column("kind"), sa.column("value")), refs)
    rows = [
        {"holder_id": h, "reference": r, "amount": a, "currency": c, "reserved_usd": reserved[(h, r)], "created_at": t}
        for (h, r), (a, c, t) in guarantees.items()
    ]
    if rows:
        cols = ("holder_id", "reference", "amount", "currency", "reserved_usd", "created_at")
        op.bulk_insert(sa.table("guarantees", *(sa.column(c) for c in cols)), rows)


def downgrade() -> None:
    op.create_table(
        "idempotency",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("party_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("party_id", "key", name="uq_idempotency_party_key"),
    )
    op.drop_table("idempotency_keys")
    op.drop_table("guarantees")
    op.drop_index("ix_ref_declaration", "declaration_refs")
    op.drop_index("ix_ref_kind_value", "declaration_refs")
    op.drop_table("declaration_refs")
    with op.batch_alter_table("deliveries") as b:
        b.drop_index("ix_delivery_subscription")
    with op.batch_alter_table("events") as b:
        b.drop_index("ix_event_party")
        b.drop_index("ix_event_train")
    with op.batch_alter_table("declarations") as b:
        b.drop_index("ix_declaration_carrier")
        b.drop_constraint("fk_declaration_carrier", type_="foreignkey")
        b.drop_column("wagons")
        b.drop_column("carrier_id")
    with op.batch_alter_table("parties") as b:
        b.drop_column("deactivated_at")
        b.drop_column("active")
