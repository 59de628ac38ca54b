"""The desk server, `kb serve`: the WSGI app (app.py: the API, /report, the site's files) and what
runs it (serving.py: one waitress process, server.py, or gunicorn's worker processes, workers.py)."""
