"""Subjects: find the network's links, nodes, corridors, projects and countries named in text.

The gazetteer is built from the dataset itself (node names and aliases, link names with their stems and
acronyms — "Baku–Tbilisi–Ceyhan oil pipeline" also answers to "Baku-Tbilisi-Ceyhan" and "BTC" — corridor names,
project names) plus ``aliases.csv`` for names the dataset does not spell (TITR) and a table of country names and
demonyms. Subject ids are typed: ``link:btc``, ``node:aktau``, ``corridor:middle``, ``project:…``, ``country:KZ``,
``currency:KZT``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from corridor.model import Network

__all__ = ["COUNTRIES", "Gazetteer", "Mention", "build_gazetteer"]

#: Country short names and demonyms → ISO 3166-1 alpha-2.
COUNTRIES: dict[str, str] = {
    "Kazakhstan": "KZ", "Kazakh": "KZ", "Kazakhstani": "KZ", "Uzbekistan": "UZ", "Uzbek": "UZ",
    "Turkmenistan": "TM", "Turkmen": "TM", "Kyrgyzstan": "KG", "Kyrgyz": "KG", "Tajikistan": "TJ", "Tajik": "TJ",
    "Azerbaijan": "AZ", "Azerbaijani": "AZ", "Azeri": "AZ", "Georgia": "GE", "Georgian": "GE", "Armenia": "AM",
    "Armenian": "AM", "Turkey": "TR", "Türkiye": "TR", "Turkiye": "TR", "Turkish": "TR", "Iran": "IR",
    "Iranian": "IR", "Russia": "RU", "Russian": "RU", "China": "CN", "Chinese": "CN", "Belarus": "BY",
    "Belarusian": "BY", "Poland": "PL", "Polish": "PL", "Germany": "DE", "German": "DE", "Netherlands": "NL",
    "Dutch": "NL", "Romania": "RO", "Romanian": "RO", "Bulgaria": "BG", "Bulgarian": "BG", "Hungary": "HU",
    "Hungarian": "HU", "Serbia": "RS", "Serbian": "RS", "Austria": "AT", "Austrian": "AT", "Italy": "IT",
    "Italian": "IT", "Egypt": "EG", "Egyptian": "EG", "India": "IN", "Indian": "IN", "Afghanistan": "AF",
    "Afghan": "AF", "Pakistan": "PK", "Pakistani": "PK", "Ukraine": "UA", "Ukrainian": "UA", "United States": "US",
    "U.S.": "US", "American": "US", "United Kingdom": "GB", "UK": "GB", "British": "GB", "France": "FR",
    "French": "FR", "Japan": "JP", "Japanese": "JP", "South Korea": "KR", "Switzerland": "CH", "Greece": "GR",
    "UAE": "AE", "United Arab Emirates": "AE", "Brazil": "BR", "Mongolia": "MN",
}  # fmt: skip

_TYPE_WORDS = re.compile(r"\s+(?:oil|gas)?\s*(?:pipeline|railway|railway line|line|track|road|highway)$", re.I)
_DASH = str.maketrans({"–": "-", "—": "-", "‑": "-", "’": "'"})
_CITY_KINDS = frozenset({"city"})


@dataclass(frozen=True)
class Mention:
    """A name of a subject found in the text at ``[start, end)``."""

    start: int
    end: int
    subject_id: str
    kind: str  # link, node, city, corridor, project, country, currency
    name: str
    detail: str = ""  # mode of a link or kind of a node, for anaphora ("the pipeline")


_TOKEN = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Gazetteer:
    """Names → subjects, indexed by their first word: case-sensitive names, and multi-word names in any case."""

    entries: dict[str, tuple[str, str, str, str]]  # alias → (subject_id, kind, display name, detail)
    exact: dict[str, list[str]]  # first word → aliases starting with it, longest first
    folded: dict[str, list[str]]  # casefolded first word → casefolded multi-word aliases, longest first
    countries_in_network: frozenset[str]

    def _match_at(self, norm: str, at: int, word: str) -> tuple[str, tuple[str, str, str, str]] | None:
        for alias in self.exact.get(word, ()):
            if norm.startswith(alias, at) and not (norm[at + len(alias) : at + len(alias) + 1].isalnum()):
                return alias, self.entries[alias]
        for alias in self.folded.get(word.casefold(), ()):
            if norm[at : at + len(alias)].casefold() == alias and not norm[at + len(alias) : at + len(alias) + 1].isalnum():
                return alias, self.entries[alias]
        return None

    def find(self, text: str) -> list[Mention]:
        """Every subject named in *text*, the longest name first where names overlap."""
        norm = text.translate(_DASH)
        hits: list[Mention] = []
        busy_to = 0
        for m in _TOKEN.finditer(norm):
            at = m.start()
            if at < busy_to or (at and (norm[at - 1].isalnum() or norm[at - 1] in "-_")):
                continue
            found = self._match_at(norm, at, m.group(0))
            if found:
                alias, entry = found
                hits.append(Mention(at, at + len(alias), entry[0], entry[1], entry[2], entry[3]))
                busy_to = at + len(alias)
        return hits

    def in_network(self, subject_id: str | None) -> bool:
        """True when *subject_id* names something the model holds (any link/node/corridor/project, or a country
        with nodes)."""
        if not subject_id:
            return False
        kind, _, ident = subject_id.partition(":")
        return kind != "country" or ident in self.countries_in_network


def _link_aliases(name: str) -> list[str]:
    base = name.translate(_DASH)
    out = [base]
    inner = re.search(r"\(([^)]*)\)", base)
    plain = re.sub(r"\s*\([^)]*\)", "", base).strip()
    out.append(plain)
    stem = _TYPE_WORDS.sub("", plain).strip()
    out.append(stem)
    if inner and "-" in inner.group(1):
        out.append(inner.group(1).strip())
    parts = [p.strip() for p in stem.split("-") if p.strip()]
    if len(parts) >= 3 and all(p[:1].isupper() and " " not in p for p in parts):
        out.append("".join(p[0] for p in parts))  # Baku-Tbilisi-Ceyhan → BTC
    words = re.split(r"[\s-]+", plain)
    if len(words) >= 3 and all(w[:1].isupper() for w in words):
        out.append("".join(w[0] for w in words))  # Caspian Pipeline Consortium → CPC
    return [a for a in dict.fromkeys(out) if len(a) >= 3]


def _usable(alias: str) -> bool:
    """Aliases of three letters or fewer only count in capitals (BTC), so "Van" or "Shu" never match prose."""
    return len(alias) > 3 or alias.isupper()


def build_gazetteer(net: Network) -> Gazetteer:
    """The gazetteer of *net*: nodes, links, corridors, projects, countries and ``aliases.csv``."""
    entries: dict[str, tuple[str, str, str, str]] = {}

    def add(alias: str, value: tuple[str, str, str, str]) -> None:
        alias = str(alias).translate(_DASH).strip()
        if alias and _usable(alias):
            entries.setdefault(alias, value)

    for link_id, row in net.links.drop_duplicates("base_id").iterrows():
        base = str(row.get("base_id", link_id))
        for a in _link_aliases(str(row["name"])):
            add(a, (f"link:{base}", "link", str(row["name"]), str(row["mode"])))
    for node_id, row in net.nodes.iterrows():
        kind = "city" if str(row["kind"]) in _CITY_KINDS else "node"
        detail = f"country:{row['country']}" if kind == "city" else str(row["kind"])
        value = (f"node:{node_id}", kind, str(row["name"]), detail)
        aliases = row["aliases"] if isinstance(row["aliases"], list | tuple) else []
        for a in [row["name"], re.sub(r"\s*\([^)]*\)", "", str(row["name"])), *aliases]:
            add(a, value)
    groups: dict[str, list[str]] = {}
    for cid, row in net.corridors.iterrows():
        prefix = re.split(r"\s+via\s+|\s*\(", str(row["name"]))[0].strip()
        groups.setdefault(prefix, []).append(str(cid))
    for prefix, ids in groups.items():
        sid = f"corridor:{ids[0].split('_')[0]}" if len(ids) > 1 else f"corridor:{ids[0]}"
        add(prefix, (sid, "corridor", prefix, ""))
    if len(net.projects):
        for _, row in net.projects.drop_duplicates("project_id").iterrows():
            add(re.sub(r"\s*\([^)]*\)", "", str(row["name"])), (f"project:{row['project_id']}", "project", str(row["name"]), ""))
    for name, code in COUNTRIES.items():
        add(name, (f"country:{code}", "country", name, ""))
    with Path(__file__).with_name("aliases.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            kind = r["subject_id"].split(":")[0]
            detail = "oil_pipeline" if "pipeline" in r["alias"].lower() or r["subject_id"] == "link:btc" else ""
            add(r["alias"], (r["subject_id"], kind, r["alias"], detail))
    folded_keys = {k.casefold(): v for k, v in entries.items() if " " in k}
    entries.update(folded_keys)
    exact: dict[str, list[str]] = {}
    folded: dict[str, list[str]] = {}
    for alias in sorted(entries, key=len, reverse=True):
        first = _TOKEN.match(alias) or _TOKEN.search(alias)
        if first is None or first.start() != 0:
            continue
        if alias in folded_keys and alias == alias.casefold():
            folded.setdefault(first.group(0).casefold(), []).append(alias)
        else:
            exact.setdefault(first.group(0), []).append(alias)
    countries = frozenset(str(c) for c in pd.unique(net.nodes["country"]))
    return Gazetteer(entries, exact, folded, countries)
