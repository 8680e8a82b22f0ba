"""The compiled graph (CSR arrays over layer vertices) and the shortest-path kernels the engines share."""

from corridor.graph.compiled import ArcKind, CompiledGraph, arc_mask, compile_graph
from corridor.graph.kernels import dijkstra, dijkstra_multi, path_arcs
from corridor.graph.year import year_graph

__all__ = ["ArcKind", "CompiledGraph", "arc_mask", "compile_graph", "dijkstra", "dijkstra_multi", "path_arcs", "year_graph"]
