"""File adapters and the shipped dataset: the CSV folder (canonical), GeoJSON/GeoPackage/CSV export, sea lanes."""

from corridor.data.csvdir import DATASET_DIR, read_dataset
from corridor.data.export import network_geojson, write_network

__all__ = ["DATASET_DIR", "network_geojson", "read_dataset", "write_network"]
