"""The desk server: kb serve's WSGI app, its worker processes, static files and rate limits."""
