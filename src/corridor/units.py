"""The unit vocabulary of the dataset and the conversions between cargo units.

Column names carry their unit (``length_km``); this module lists every unit the schema may name and the
ISO 4217 currencies money may carry, so that an unknown unit or currency is caught on load.
"""

from __future__ import annotations

import math

__all__ = [
    "UNITS",
    "great_circle_km",
    "is_country",
    "is_currency",
    "per_year",
]


def per_year(quantity: str, unit: str) -> str:
    """Name of a result column holding a yearly amount in *unit*: ``per_year("flow", "t")`` is ``"flow_t_per_year"``,
    ``per_year("flow", "bcm")`` is ``"flow_bcm_per_year"`` (result names carry their units like input columns do)."""
    return f"{quantity}_{unit.lower()}_per_year"


#: Units the schema and the parameter table may name, with a one-line meaning.
UNITS: dict[str, str] = {
    "": "dimensionless or text",
    "1": "dimensionless number",
    "km": "kilometre",
    "h": "hour",
    "kmh": "kilometre per hour",
    "km/day": "kilometre per day",
    "mm": "millimetre",
    "deg": "degree of latitude or longitude (WGS84)",
    "year": "calendar year",
    "date": "ISO 8601 calendar date",
    "t": "metric tonne",
    "wagon": "railway wagon (a count of wagons)",
    "TEU": "twenty-foot equivalent unit",
    "bcm": "billion cubic metres of natural gas",
    "t/TEU": "tonnes per TEU",
    "t/bcm": "tonnes per bcm of natural gas",
    "t/yr": "tonnes per year",
    "TEU/yr": "TEU per year",
    "bcm/yr": "bcm per year",
    "USD/TEU": "US dollars per TEU",
    "USD/t": "US dollars per tonne",
    "USD/TEU-km": "US dollars per TEU-kilometre",
    "USD/t-km": "US dollars per tonne-kilometre",
    "USD/TEU-h": "US dollars per TEU-hour (value of time)",
    "USD/t-h": "US dollars per tonne-hour (value of time)",
    "USD/tCO2": "US dollars per tonne of CO2",
    "gCO2/t-km": "grams of CO2 per tonne-kilometre",
    "currency/USD": "units of a currency per US dollar",
}


def is_currency(code: str) -> bool:
    """True if *code* is an ISO 4217 alphabetic currency code."""
    import pycountry  # here, not at the top: loading its databases costs commands that never check a code

    return isinstance(code, str) and len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None


def is_country(code: str) -> bool:
    """True if *code* is an ISO 3166-1 alpha-2 country code."""
    import pycountry

    return isinstance(code, str) and len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6371.0088 km (the IUGG mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
