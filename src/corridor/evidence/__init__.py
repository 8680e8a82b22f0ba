"""Evidence: news pages → quantitative claims with spans → links to model values → conflicts → review → provenance.

Never imported by the model's load path; import the submodules you need (nothing heavy happens at import).
"""

__all__: list[str] = []
