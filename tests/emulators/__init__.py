"""Local stand-ins for outside services, run as real processes the code under test talks to over HTTP."""
