"""HTTP controllers by feature; thin: parse, call a core handler, shape the answer."""
