"""The state graph: states and transitions as a networkx MultiDiGraph, and its checks."""
