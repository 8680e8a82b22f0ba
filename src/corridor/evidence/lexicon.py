"""Word lists and regular expressions of the claim extractor: numbers, scale words, units, currencies, bounds.

Kept apart from the scanning logic so that the vocabulary can be read (and extended) in one place. Everything is
compiled once at import of :mod:`corridor.evidence.extract`, never at import of the package.
"""

from __future__ import annotations

import re

__all__ = [
    "BOUND_RE",
    "COUNT_STOP",
    "CURRENCY_AFTER",
    "CURRENCY_BEFORE_RE",
    "MONTHS",
    "NUMBER_RE",
    "RATE_RE",
    "SCALE",
    "TICKER_RE",
    "UNIT_RE",
    "UNIT_WORDS",
    "WORD_NUMBERS",
]

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
            ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
            ("november", "nov"), ("december", "dec"),
        ]
    )
    for m in names
}  # fmt: skip

WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "half a": 0.5, "a hundred": 100,
}  # fmt: skip
_UNITS_W = "one|two|three|four|five|six|seven|eight|nine"
_TENS_W = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
#: Number words that count things on their own ("two hours", "five stages"); "one" and "a" are left out as they
#: are mostly articles ("one of the few …").
_TEENS_W = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
COUNT_WORD_RE = rf"(?:(?:{_TENS_W})(?:-(?:{_UNITS_W}))?|two|three|four|five|six|seven|eight|nine|{_TEENS_W})"


def word_value(word: str) -> float | None:
    """Value of a number word ("twenty-five" → 25)."""
    w = " ".join(word.lower().split())
    if w in WORD_NUMBERS:
        return WORD_NUMBERS[w]
    tens, _, unit = w.partition("-")
    if tens in WORD_NUMBERS and unit in WORD_NUMBERS:
        return float(WORD_NUMBERS[tens] + WORD_NUMBERS[unit])
    return None


#: Scale words and their factors; single letters only count right after a number that carries a currency.
SCALE = {
    "thousand": 1e3, "k": 1e3, "lakh": 1e5, "crore": 1e7, "crores": 1e7,
    "million": 1e6, "millions": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "billions": 1e9, "bln": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}  # fmt: skip

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORDNUM = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|a|an|half\s+a)"
#: A number in digits, or a number word followed by a scale word ("one million").
NUMBER_RE = re.compile(
    rf"(?<![\w.,/])(?P<num>{_NUM})(?![\d])|(?<![\w-])(?P<word>{_WORDNUM})\s+(?=(?:thousand|million|billion|trillion)\b)"
    rf"|(?<![\w-])(?P<cword>{COUNT_WORD_RE})(?=[\s-])",
    re.IGNORECASE,
)

#: Currency written before the number: symbols and ISO codes.
CURRENCY_BEFORE_RE = re.compile(
    r"(?P<cur>US\$|HK\$|C\$|A\$|S\$|NZ\$|R\$|\$|€|£|¥|₹|₸|₽|₺|₼|\bRs\.?|"
    r"\b(?:USD|EUR|GBP|KZT|RUB|CNY|RMB|TRY|AZN|UZS|KGS|TJS|TMT|GEL|CHF|JPY|INR|IRR))\s?$"
)
CURRENCY_SYMBOL = {"US$": "USD", "HK$": "HKD", "C$": "CAD", "A$": "AUD", "S$": "SGD", "NZ$": "NZD", "R$": "BRL",
                   "₹": "INR", "Rs": "INR", "Rs.": "INR",
                   "$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "₸": "KZT", "₽": "RUB", "₺": "TRY",
                   "₼": "AZN", "RMB": "CNY"}  # fmt: skip

#: Currency words written after the number (and after a scale word).
CURRENCY_AFTER = {
    "us dollars": "USD", "u.s. dollars": "USD", "australian dollars": "AUD", "canadian dollars": "CAD",
    "hong kong dollars": "HKD", "new zealand dollars": "NZD", "singapore dollars": "SGD", "dollars": "USD",
    "dollar": "USD", "usd": "USD", "euros": "EUR", "euro": "EUR", "eur": "EUR",
    "pounds sterling": "GBP", "pounds": "GBP", "gbp": "GBP", "tenge": "KZT", "kzt": "KZT", "rubles": "RUB",
    "roubles": "RUB", "rub": "RUB", "yuan": "CNY", "renminbi": "CNY", "cny": "CNY", "lira": "TRY", "liras": "TRY",
    "try": "TRY", "manat": "AZN", "manats": "AZN", "azn": "AZN", "tmt": "TMT", "soms": "KGS", "som": "KGS",
    "kgs": "KGS", "sum": "UZS", "soums": "UZS", "soum": "UZS", "uzs": "UZS", "somoni": "TJS", "tjs": "TJS",
    "lari": "GEL", "gel": "GEL", "rials": "IRR", "rial": "IRR", "rupees": "INR", "yen": "JPY",
    "swiss francs": "CHF", "francs": "CHF",
    "dirhams": "AED", "riyals": "SAR", "pesos": "MXN", "rand": "ZAR", "hryvnias": "UAH", "zlotys": "PLN",
    "forints": "HUF", "leva": "BGN", "lei": "RON",
}  # fmt: skip

#: Unit phrases after a number (longest first) → canonical unit; "+rate" suffixes carry a rate.
UNIT_WORDS: list[tuple[str, str, str | None]] = [
    (r"million\s+(?:metric\s+)?(?:tons|tonnes|tonne|ton|t)\b", "Mt", None),
    (r"mln\s+(?:tons|tonnes|t)\b", "Mt", None),
    (r"billion\s+cubic\s+met(?:er|re)s?", "bcm", None),
    (r"million\s+cubic\s+met(?:er|re)s?", "mcm", None),
    (r"cubic\s+met(?:er|re)s?", "m3", None),
    (r"mtpa\b", "Mt", "year"),
    (r"(?:metric\s+)?(?:tons|tonnes|tonne|ton)\b", "t", None),
    (r"tpa\b", "t", "year"),
    (r"Mt\b", "Mt", None),
    (r"mt\b", "Mt", None),
    (r"kt\b", "kt", None),
    (r"t\b(?!\s*[a-z])", "t", None),
    (r"bcm(?:/y(?:ea)?r?|/a)\b", "bcm", "year"),
    (r"bcm\b", "bcm", None),
    (r"mcm\b", "mcm", None),
    (r"twenty-foot\s+equivalent\s+units?", "TEU", None),
    (r"TEUs?\b", "TEU", None),
    (r"FEUs?\b", "FEU", None),
    (r"(?:railway\s+)?(?:wagons|wagon|railcars|railcar)\b", "wagons", None),
    (r"(?:container\s+|block\s+|freight\s+)?trains\b", "trains", None),
    (r"containers\b", "containers", None),
    (r"(?:barrels|barrel)\s+(?:per|a)\s+day\b", "bbl", "day"),
    (r"(?:bpd|b/d)\b", "bbl", "day"),
    (r"(?:barrels|barrel|bbl)\b", "bbl", None),
    (r"(?:square\s+kilomet(?:er|re)s?|sq\.?\s*km|km2|km²)", "km2", None),
    (r"hectares?\b|ha\b", "ha", None),
    (r"acres?\b", "acre", None),
    (r"(?:kilomet(?:er|re)s?\s+(?:per|an|a)\s+hour|km/h|kph)\b", "km/h", None),
    (r"(?:miles\s+(?:per|an|a)\s+hour|mph)\b", "mph", None),
    (r"knots?\b", "kn", None),
    (r"(?:kilomet(?:er|re)s?|kms?)\b", "km", None),
    (r"miles?\b", "mi", None),
    (r"(?:centimet(?:er|re)s?|cm)\b", "cm", None),
    (r"(?:millimet(?:er|re)s?|mm)\b", "mm", None),
    (r"(?:feet|foot|ft)\b", "ft", None),
    (r"(?:inches|inch)\b", "in", None),
    (r"(?:met(?:er|re)s?)\b", "m", None),
    (r"(?:kilograms?|kilos?|kg)\b", "kg", None),
    (r"yards?\b|yd\b", "yd", None),
    (r"(?:horsepower|hp|bhp)\b", "hp", None),
    (r"(?:TB|terabytes?)\b", "TB", None),
    (r"(?:GB|gigabytes?)\b", "GB", None),
    (r"(?:MB|megabytes?)\b", "MB", None),
    (r"(?:cents?)\b", "cents", None),
    (r"(?:grams?|g)\b(?!\s*[a-z])", "g", None),
    (r"(?:pounds|lbs?)\b(?!\s+sterling)", "lb", None),
    (r"(?:litres?|liters?)\b", "l", None),
    (r"gallons?\b", "gal", None),
    (r"(?:TWh|GWh|MWh|kWh)\b", "energy", None),
    (r"(?:gigawatts?|GW)\b", "GW", None),
    (r"(?:megawatts?|MW)\b", "MW", None),
    (r"(?:kilowatts?|kW)\b", "kW", None),
    (r"(?:°\s?C|degrees\s+Celsius|degrees\s+C\b|Celsius\b)", "degC", None),
    (r"(?:°\s?F|degrees\s+Fahrenheit|Fahrenheit\b)", "degF", None),
    (r"(?:seconds?|secs?)\b", "s", None),
    (r"(?:hours?|hrs?)\b", "h", None),
    (r"h\b(?!\s*[a-z])", "h", None),
    (r"(?:minutes?|mins?)\b", "min", None),
    (r"days?\b", "days", None),
    (r"weeks?\b", "weeks", None),
    (r"months?\b", "months", None),
    (r"years?\b", "years", None),
    (r"%", "%", None),
    (r"(?:percent|per\s+cent|pct)\b", "%", None),
    (r"percentage\s+points?\b|pp\b", "pp", None),
    (r"basis\s+points?\b|bps?\b", "bp", None),
    (r"fold\b", "times", None),
    (r"times\b(?!\s+(?:more|less|as|higher|lower))", "times", None),
]
_CASED = ("Mt", "mt", "TEU", "FEU", "t\\b", "h\\b", "(?:grams", "(?:TB", "(?:GB", "(?:MB")  # "5G" is not five grams
UNIT_RE = [(re.compile(p, 0 if p.startswith(_CASED) else re.IGNORECASE), u, r) for p, u, r in UNIT_WORDS]

#: A rate right after the unit.
RATE_RE = re.compile(
    r"\s*(?:(?:(?:per|a|an|each|every)\s+|/\s*)(?P<unit>year|annum|yr|y|day|d|month|week|hour|h)\b"
    r"|(?P<adv>annually|yearly|per\s+annum|daily|monthly|weekly|p\.a\.))",
    re.IGNORECASE,
)
#: A rate word later in the same clause ("... are transported annually").
RATE_LATER_RE = re.compile(
    r"\b(annually|per\s+year|a\s+year|each\s+year|every\s+year|per\s+annum|daily|per\s+day|a\s+day)\b", re.I
)
RATE_NAME = {"year": "year", "annum": "year", "yr": "year", "y": "year", "annually": "year", "yearly": "year",
             "per annum": "year", "p.a.": "year", "day": "day", "d": "day", "daily": "day", "month": "month",
             "monthly": "month", "week": "week", "weekly": "week", "hour": "hour", "h": "hour"}  # fmt: skip

#: Bound phrases right before the number (the currency symbol, if any, sits between).
BOUND_RE = re.compile(
    r"(?P<phrase>more\s+than|over|above|exceeding|exceeded|exceeds|exceed|surpass(?:ed|es|ing)?|in\s+excess\s+of|upwards\s+of|"
    r"at\s+least|no\s+less\s+than|a\s+minimum\s+of|not\s+less\s+than|"
    r"up\s+to|as\s+(?:high|much|many|low|little|few)\s+as|fewer\s+than|less\s+than|under|below|no\s+more\s+than|at\s+most|"
    r"a\s+maximum\s+of|not\s+more\s+than|"
    r"about|around|approximately|approx\.|roughly|some|nearly|almost|an\s+estimated|estimated|close\s+to|circa|c\.|~|"
    r"just\s+under|just\s+over|just|only)\s*$",
    re.IGNORECASE,
)
BOUND_OF = {
    "more than": "more_than", "over": "more_than", "above": "more_than", "exceeding": "more_than",
    "exceeded": "more_than", "exceeds": "more_than", "exceed": "more_than", "surpass": "more_than",
    "surpassed": "more_than", "surpasses": "more_than", "surpassing": "more_than", "in excess of": "more_than",
    "upwards of": "more_than", "just over": "more_than",
    "at least": "at_least", "no less than": "at_least", "a minimum of": "at_least", "not less than": "at_least",
    "up to": "up_to", "fewer than": "up_to", "less than": "up_to", "under": "up_to", "below": "up_to",
    "no more than": "up_to", "at most": "up_to", "a maximum of": "up_to", "not more than": "up_to", "just under": "up_to",
    "just": "exact", "only": "exact",
}  # fmt: skip

#: A currency ticker line: "KZT/USD = 0.00198 0%".
TICKER_RE = re.compile(
    r"(?<![A-Za-z])(?P<base>[A-Z]{3})/(?P<quote>[A-Z]{3})\s*=\s*(?P<num>\d+(?:\.\d+)?)(?P<change>\s+[-+]?\d+(?:\.\d+)?%)?"
)

#: Words that end the search for a counted noun after a bare number.
COUNT_STOP = frozenset(
    [
        "of", "in", "to", "the", "and", "or", "by", "from", "for", "on", "at", "with", "per", "as", "is", "are", "was",
        "were", "will", "would", "has", "have", "had", "be", "been", "than", "that", "which", "who", "this", "these",
        "those", "it", "its", "their", "his", "her", "our", "a", "an", "over", "under", "into", "onto", "after",
        "before", "since", "until", "during", "between", "against", "among", "about", "around", "up", "down", "out",
        "off", "also", "only", "just", "still", "worth", "each", "so", "now", "then", "here", "there", "today",
        "yesterday", "ago", "tonight",
    ]
)  # fmt: skip
