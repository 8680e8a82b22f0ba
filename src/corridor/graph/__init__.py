"""The compiled graph (CSR arrays over layer vertices) and the shortest-path kernels the engines share.

Importing this package does not import numba: :mod:`corridor.graph.kernels` loads only when a large graph is searched.
"""

from corridor.graph.compiled import ArcKind, CompiledGraph, arc_mask, compile_graph
from corridor.graph.shortest import dijkstra, dijkstra_multi, path_arcs
from corridor.graph.year import year_graph

__all__ = ["ArcKind", "CompiledGraph", "arc_mask", "compile_graph", "dijkstra", "dijkstra_multi", "path_arcs", "year_graph"]
