"""Fit statistics on hand-computed cases."""

import math

import numpy as np
import pytest

from corridor.calibration import geh, r_squared, relative_error, rmse, share_within
from corridor.calibration.stats import T_PER_WAGONLOAD

WL = 365 * T_PER_WAGONLOAD  # tonnes a year that make one wagonload a day


def test_relative_error():
    assert relative_error(110.0, 100.0) == pytest.approx(0.10)
    assert relative_error(85.0, 100.0) == pytest.approx(-0.15)
    assert math.isnan(float(relative_error(5.0, 0.0)))


def test_geh_on_daily_wagonloads():
    assert float(geh(100.0, 100.0)) == 0.0
    assert float(geh(2 * WL, 0.0)) == pytest.approx(2.0)  # sqrt(2 * 2^2 / 2)
    assert float(geh(4 * WL, 1 * WL)) == pytest.approx(math.sqrt(2 * 9 / 5))
    assert float(geh(0.0, 0.0)) == 0.0


def test_r_squared_and_rmse():
    obs, mod = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0])
    assert r_squared(mod, obs) == pytest.approx(0.5)  # 1 - 1/2
    assert rmse(mod, obs) == pytest.approx(math.sqrt(1 / 3))
    assert r_squared(obs, obs) == pytest.approx(1.0)
    assert math.isnan(r_squared(np.array([1.0, 1.0]), np.array([2.0, 2.0])))


def test_share_within_counts_nan_as_a_miss():
    e = np.array([0.10, -0.15, 0.2, np.nan])
    assert share_within(e, 0.15) == pytest.approx(0.5)
    assert share_within(e, 0.30) == pytest.approx(0.75)
