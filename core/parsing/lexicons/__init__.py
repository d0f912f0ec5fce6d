"""Per-language lexicon files (data only); a package so that packaging ships the *.json files."""
