"""Domain vocabulary of the transit service: declaration states, party roles and the lifecycle transitions.

The lifecycle follows NCTS phase 5 (IE015 lodged → accepted → MRN allocated → guarantee checked → released or
under control → in transit → arrived → written off); ``TRANSITIONS`` is the only place moves are defined.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FINAL", "HOLDS_GUARANTEE", "OPEN", "TRANSITIONS", "Action", "Role", "Status"]


class Role(StrEnum):
    """What a party is allowed to do (see the README's security model)."""

    HOLDER = "holder"
    CARRIER = "carrier"
    CUSTOMS = "customs"
    OPERATOR = "operator"


class Status(StrEnum):
    """Where a declaration stands in its lifecycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    MRN_ALLOCATED = "mrn_allocated"
    GUARANTEE_INVALID = "guarantee_invalid"
    UNDER_CONTROL = "under_control"
    RELEASED = "released"
    NOT_RELEASED = "not_released"
    IN_TRANSIT = "in_transit"
    ARRIVED = "arrived"
    WRITTEN_OFF = "written_off"
    CANCELLED = "cancelled"


class Action(StrEnum):
    """A lifecycle move."""

    CREATE = "create"
    SUBMIT = "submit"
    REJECT = "reject"
    ACCEPT = "accept"
    ALLOCATE_MRN = "allocate_mrn"
    GUARANTEE_INVALID = "guarantee_invalid"
    SELECT_FOR_CONTROL = "select_for_control"
    RELEASE = "release"
    REFUSE_RELEASE = "refuse_release"
    DEPART = "depart"
    ARRIVE = "arrive"
    WRITE_OFF = "write_off"
    CANCEL = "cancel"


S = Status
#: Allowed lifecycle moves: action -> (from states, to state)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    Action.REJECT: (frozenset({S.DRAFT, S.SUBMITTED}), S.REJECTED),
    Action.ACCEPT: (frozenset({S.SUBMITTED}), S.ACCEPTED),
    Action.ALLOCATE_MRN: (frozenset({S.ACCEPTED}), S.MRN_ALLOCATED),
    Action.GUARANTEE_INVALID: (frozenset({S.MRN_ALLOCATED}), S.GUARANTEE_INVALID),
    Action.SELECT_FOR_CONTROL: (frozenset({S.MRN_ALLOCATED}), S.UNDER_CONTROL),
    Action.RELEASE: (frozenset({S.MRN_ALLOCATED, S.UNDER_CONTROL}), S.RELEASED),
    Action.REFUSE_RELEASE: (frozenset({S.UNDER_CONTROL}), S.NOT_RELEASED),
    Action.DEPART: (frozenset({S.RELEASED}), S.IN_TRANSIT),
    Action.ARRIVE: (frozenset({S.RELEASED, S.IN_TRANSIT}), S.ARRIVED),
    Action.WRITE_OFF: (frozenset({S.ARRIVED}), S.WRITTEN_OFF),
    Action.CANCEL: (frozenset({S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.MRN_ALLOCATED, S.GUARANTEE_INVALID}), S.CANCELLED),
}
#: States a declaration never leaves
FINAL = frozenset({S.WRITTEN_OFF, S.CANCELLED, S.REJECTED, S.NOT_RELEASED})
#: States whose amount at risk is reserved on the guarantee
HOLDS_GUARANTEE = frozenset({S.UNDER_CONTROL, S.RELEASED, S.IN_TRANSIT, S.ARRIVED})
#: States in which arrival, departure and crossing events still move a declaration
OPEN = frozenset({S.SUBMITTED, S.RELEASED, S.IN_TRANSIT})
