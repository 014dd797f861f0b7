"""The catalogue of the 99 names: home, the list and search, one name, about; curation."""
