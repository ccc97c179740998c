"""The browsable API documentation: Swagger UI from the flask-swagger-ui wheel, no CDN.

flask-smorest's own Swagger page uses an inline script, which our CSP forbids; this page loads
the same bundle plus a small script of ours that reads the document URL from a data attribute.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, render_template, url_for
from werkzeug.wrappers import Response

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"

blp = Blueprint("api_docs", __name__, static_folder=str(SWAGGER_DIST), static_url_path="/api/v1/docs/assets")


@blp.get("/api/v1/docs")
def index() -> Response:
    html = render_template("api_docs.html", spec_url=url_for("api-docs.openapi_json"))
    response = Response(html, mimetype="text/html")
    # Swagger UI sets style attributes from its script; scripts stay 'self' only.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return response
