"""OD-matrix estimation: counts generated from a known matrix are reproduced by the estimate."""

import numpy as np
import pytest

from corridor.assignment.equilibrium import AssignmentClass, assign
from corridor.calibration import estimate_od, leave_one_out, spiess_odme
from corridor.calibration.freight import route_proportions
from corridor.errors import DataError

# A small network: zones 0 (A), 1 (B), 4 (C), 5 (D); A and B reach C and D through two parallel, congested
# middle links 2->3 (short) and 2->3 via 6 (long), so route shares move with the matrix.
#          links: 0 A->2, 1 B->2, 2 2->3, 3 2->6, 4 6->3, 5 3->C, 6 3->D
TAILS = np.array([0, 1, 2, 2, 6, 3, 3])
HEADS = np.array([2, 2, 3, 6, 3, 4, 5])
T0 = np.array([1.0, 1.0, 10.0, 7.0, 7.0, 1.0, 1.0])
CAP = np.array([0.0, 0.0, 50.0, 80.0, 80.0, 0.0, 0.0])
ZONES = np.array([0, 1, 4, 5])
PAIRS = [(0, 2), (0, 3), (1, 2), (1, 3)]  # zone indices: A->C, A->D, B->C, B->D


def _assign(g: np.ndarray):
    classes = []
    for k, (o, d) in enumerate(PAIRS):
        m = np.zeros((4, 4))
        m[o, d] = g[k]
        classes.append(AssignmentClass(f"od{k}", m))
    return assign(
        7,
        TAILS,
        HEADS,
        T0,
        CAP,
        classes,
        alpha=np.where(CAP > 0, 0.15, 0.0),
        zone_nodes=ZONES,
        rgap=1e-8,
        max_iter=2000,
        track_routes=True,
    )


def _proportions(g: np.ndarray, sites: list[set[int]]) -> np.ndarray:
    res = _assign(g)
    row_of = {f"od{k}": k for k in range(len(PAIRS))}
    return route_proportions(res.route_shares, row_of, len(PAIRS), sites, [np.ones(len(PAIRS), dtype=bool)] * len(sites))


def test_identifiable_counts_recover_the_known_matrix():
    # every cell has a count of its own (fixed proportions) plus a redundant screen line: the estimate is the matrix
    true = np.array([30.0, 10.0, 20.0, 40.0])
    P = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 0, 0]], dtype=float)
    observed = P @ true
    est = spiess_odme(np.array([15.0, 25.0, 35.0, 10.0]), P, observed, prior_weight=1e-9, max_iter=5000)
    np.testing.assert_allclose(est.demand, true, rtol=1e-4)
    assert est.objective[-1] < est.objective[0]


def test_counts_from_a_known_matrix_are_reproduced_on_a_congested_network():
    true = np.array([60.0, 25.0, 35.0, 50.0])
    sites = [{0}, {1}, {5}, {6}, {2}]  # A->2, B->2, 3->C, 3->D, the short middle link
    observed = _proportions(true, sites) @ true
    prior = np.array([20.0, 20.0, 80.0, 20.0])
    est = estimate_od(prior, observed, lambda g: _proportions(g, sites), prior_weight=1e-6, outer=6, max_iter=3000)
    np.testing.assert_allclose(est.modelled, observed, rtol=0.01)
    np.testing.assert_allclose(est.demand.sum(), true.sum(), rtol=0.01)
    # the prior's link volumes were far off; the estimate's are not
    assert np.max(np.abs(_proportions(prior, sites) @ prior / observed - 1)) > 0.2


def test_prior_penalty_keeps_unobserved_cells_at_the_prior_and_zero_cells_at_zero():
    P = np.array([[1.0, 0.0, 0.0]])
    est = spiess_odme(np.array([10.0, 5.0, 0.0]), P, np.array([20.0]), prior_weight=1.0)
    assert est.demand[1] == pytest.approx(5.0)
    assert est.demand[2] == 0.0
    assert 10.0 < est.demand[0] < 20.0  # between the prior and the count, as the penalty weighs them equally


def test_leave_one_out_predicts_a_count_from_the_others():
    # sites 0 and 1 both measure cell 0 (redundant); site 2 alone measures cell 1
    P = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    observed = np.array([30.0, 30.0, 50.0])
    prior = np.array([10.0, 20.0])
    pred = leave_one_out(prior, P, observed, np.zeros(3), prior_weight=1e-6)
    assert pred[0] == pytest.approx(30.0, rel=1e-3)  # the other count of cell 0 still holds it
    assert pred[1] == pytest.approx(30.0, rel=1e-3)
    assert pred[2] == pytest.approx(20.0, rel=1e-3)  # nothing else observes cell 1: the prior stands


def test_offsets_are_volumes_the_matrix_does_not_control():
    P = np.array([[1.0, 1.0]])
    est = spiess_odme(np.array([10.0, 10.0]), P, np.array([50.0]), offsets=np.array([20.0]), prior_weight=1e-9)
    assert est.modelled[0] == pytest.approx(50.0, rel=1e-4)
    assert est.demand.sum() == pytest.approx(30.0, rel=1e-4)


def test_bad_arrays_name_the_field():
    with pytest.raises(DataError, match=r"observed\[1\]"):
        spiess_odme(np.array([1.0]), np.array([[1.0], [1.0]]), np.array([1.0, -2.0]))
    with pytest.raises(DataError, match="proportions"):
        spiess_odme(np.array([1.0, 2.0]), np.array([[1.0]]), np.array([1.0]))
