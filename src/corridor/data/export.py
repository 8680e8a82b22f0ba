"""Write a network out: GeoJSON (nodes and links), GeoPackage (layers nodes, links) or a CSV folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from corridor.errors import DataError, Problem
from corridor.model import Network

__all__ = ["FORMATS", "network_geojson", "write_network"]

FORMATS = ("geojson", "gpkg", "csv")

_NODE_COLS = [
    "name",
    "kind",
    "country",
    "locode",
    "border_with",
    "customs_paper_h",
    "customs_digital_h",
    "capacity_t_per_year",
    "capacity_teu_per_year",
    "status",
    "open_year",
]
_LINK_COLS = [
    "base_id",
    "name",
    "from_node",
    "to_node",
    "mode",
    "layer",
    "gauge_mm",
    "length_km",
    "transit_time_h",
    "capacity_t_per_year",
    "capacity_teu_per_year",
    "capacity_bcm_per_year",
    "status",
    "open_year",
]


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if hasattr(value, "item"):
        return value.item()
    return str(value) if not isinstance(value, int | float | bool | str) else value


def network_geojson(net: Network, *, directed: bool = False) -> dict:
    """A GeoJSON FeatureCollection: one Point per node and one LineString per link (one per direction if asked)."""
    features = []
    for node_id, r in net.nodes.iterrows():
        props = {"feature": "node", "node_id": node_id, **{c: _plain(r[c]) for c in _NODE_COLS}}
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]}, "properties": props}
        )
    links = net.links if directed else net.links[~net.links.index.str.endswith("~r")]
    for link_id in links.index:
        r = net.links.loc[link_id]
        props = {"feature": "link", "link_id": link_id, **{c: _plain(r[c]) for c in _LINK_COLS}}
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in net.link_coordinates(link_id)]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_network(net: Network, path: str | Path, *, format: str = "geojson") -> list[Path]:
    """Write *net* to *path* in *format* (geojson, gpkg or csv); returns the files written."""
    path = Path(path)
    if format not in FORMATS:
        raise DataError(Problem("(command line)", None, "format", format, f"one of {', '.join(FORMATS)}"))
    if format == "geojson":
        path.write_text(json.dumps(network_geojson(net), ensure_ascii=False), encoding="utf-8")
        return [path]
    if format == "gpkg":
        import geopandas as gpd
        from shapely.geometry import shape

        doc = network_geojson(net)
        written = []
        for layer in ("node", "link"):
            feats = [f for f in doc["features"] if f["properties"]["feature"] == layer]
            frame = gpd.GeoDataFrame(
                [f["properties"] for f in feats], geometry=[shape(f["geometry"]) for f in feats], crs="EPSG:4326"
            )
            frame.to_file(path, layer=f"{layer}s", driver="GPKG")
            written.append(path)
        return written[:1]
    path.mkdir(parents=True, exist_ok=True)
    out = []
    tables = {
        "nodes": net.nodes,
        "links": net.links,
        "transfers": net.transfers,
        "modes": net.modes,
        "parameters": net.parameters,
        "projects": net.projects,
        "fx_rates": net.fx_rates,
        "sources": net.sources,
        "provenance": net.provenance.reset_index() if len(net.provenance) else net.provenance,
    }
    for name, frame in tables.items():
        file = path / f"{name}.csv"
        frame.map(_plain).to_csv(file)
        out.append(file)
    return out
