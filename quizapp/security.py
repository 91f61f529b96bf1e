"""What every response carries for the browser's safety, and where a redirect may go.

``init_app`` trusts the configured number of proxies (ProxyFix), sets the security headers
on every response and makes ``jsonify`` write HTML-safe JSON.  What each one stops, and the
test that tries it, is in docs/security.md.
"""
from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, redirect, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e``, ``\\u0026`` (as Go's
    encoder does).  The same JSON to any parser, but a username or bank text holding markup is
    not markup in the bytes either, should anything ever render a response as HTML."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        # These three characters can only occur inside JSON strings, where the escapes mean them.
        return (super().dumps(obj, **kwargs)
                .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def is_safe_redirect(target: str | None) -> bool:
    if not target:
        return False
    # No control character: werkzeug refuses a newline in a Location header (a 500), and a
    # browser drops tabs and newlines from a URL, so "/\t/evil.example" would mean "//evil.example".
    if any(unicodedata.category(character) == "Cc" for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def back_or(default: str) -> Any:
    """A redirect to the form's or the address's ``next``, if it stays on this site; else ``default``."""
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_redirect(target) else default)


def security_headers(response):
    # No inline script or style anywhere: everything comes from /static, so the policy
    # can forbid the rest.  Inline SVG presentation attributes are not styles.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    if app.config["TRUSTED_PROXIES"]:
        # The client's address and scheme from X-Forwarded-For/-Proto, set by that many proxies
        # in front of the app (never more: a client can write those headers itself).
        proxies = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.json = HtmlSafeJSONProvider(app)
    app.after_request(security_headers)
