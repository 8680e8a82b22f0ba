"""Sea-lane geometry and length for the dataset's sea and ferry links, computed with ``searoute``.

Run ``python -m corridor.data.sea [DATASET_DIR]`` after adding a sea link: it writes ``sea_lanes.geojson``
beside the CSV files. Loading the dataset reads that file and never calls searoute, so loading stays
fast and offline; a test recomputes a few lanes to show the file matches searoute.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import pandas as pd

__all__ = ["LANE_RESTRICTIONS", "compute_lane", "compute_sea_lanes", "main"]

#: searoute passages closed for a lane, by link id (the Cape lanes may not use Suez); others use searoute's default.
LANE_RESTRICTIONS: dict[str, list[str]] = {
    "sea_shanghai_cape": ["northwest", "suez"],
    "sea_cape_rotterdam": ["northwest", "suez"],
}


def compute_lane(
    origin_lonlat: tuple[float, float], dest_lonlat: tuple[float, float], restrictions: list[str] | None = None
) -> tuple[float, list[tuple[float, float]]]:
    """(length in km, (lon, lat) vertices) of the shortest sea lane between two points."""
    import searoute

    kwargs = {"restrictions": restrictions} if restrictions else {}
    route = searoute.searoute(list(origin_lonlat), list(dest_lonlat), units="km", append_orig_dest=True, **kwargs)
    coords = [(round(x, 4), round(y, 4)) for x, y in route.geometry["coordinates"]]
    return float(route.properties["length"]), coords


def compute_sea_lanes(nodes: pd.DataFrame, links: pd.DataFrame) -> dict:
    """GeoJSON FeatureCollection of the lanes of every sea and ferry link searoute can route.

    *nodes* is indexed by node_id with lat/lon; *links* holds link_id, from_node, to_node and mode. Links
    searoute cannot place on its network (inland lakes) are left out and fall back to great-circle length.
    """
    features = []
    for _, r in links.iterrows():
        if str(r["mode"]) not in ("sea", "ferry"):
            continue
        a, b = nodes.loc[r["from_node"]], nodes.loc[r["to_node"]]
        length, coords = compute_lane((a["lon"], a["lat"]), (b["lon"], b["lat"]), LANE_RESTRICTIONS.get(r["link_id"]))
        if length <= 0 or len(coords) < 2:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "link_id": r["link_id"],
                    "length_km": round(length, 1),
                    "searoute_version": version("searoute"),
                    "restrictions": LANE_RESTRICTIONS.get(r["link_id"], ["northwest"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    """Write sea_lanes.geojson into the dataset folder given (default: the shipped dataset)."""
    from corridor.data.csvdir import DATASET_DIR, SEA_GEOMETRY_FILE

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else DATASET_DIR
    nodes = pd.read_csv(folder / "nodes.csv").set_index("node_id")
    links = pd.read_csv(folder / "links.csv")
    doc = compute_sea_lanes(nodes, links)
    lake = {"tr_van_tatvan_ferry"}  # Lake Van is not on searoute's marine network
    doc["features"] = [f for f in doc["features"] if f["properties"]["link_id"] not in lake]
    (folder / SEA_GEOMETRY_FILE).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for f in doc["features"]:
        print(f"{f['properties']['link_id']:32s} {f['properties']['length_km']:>10.1f} km")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
