"""Flow engine: static assignment (UE/SO, FW/CFW/BFW, multi-class) on plain arrays, TNTP runs, energy flows."""

from corridor.assignment.equilibrium import ALGORITHMS, AssignmentClass, AssignmentResult, assign
from corridor.assignment.vdf import BPR, QUEUE

__all__ = ["ALGORITHMS", "BPR", "QUEUE", "AssignmentClass", "AssignmentResult", "assign"]
