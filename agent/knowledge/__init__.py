"""Product catalogs: importers, the Chroma index and hybrid (dense + keyword) retrieval."""
