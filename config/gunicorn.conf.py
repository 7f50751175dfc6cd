"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

gunicorn announces itself in a `Server` header on every answer and has no setting
to stop it. It tells an attacker which server to look up vulnerabilities for, so
its default headers are sent without it. Workers, binding and the rest stay on
the command line (README.md).
"""

import gunicorn.http.wsgi


class _ResponseWithoutServerHeader(gunicorn.http.wsgi.Response):
    def default_headers(self):
        return [h for h in super().default_headers() if not h.lower().startswith("server:")]


# gunicorn.http.wsgi.create() builds each response from this module attribute.
gunicorn.http.wsgi.Response = _ResponseWithoutServerHeader
