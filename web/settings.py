"""The Flask configuration of an installation, derived from its Herstel settings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from installation import Settings

HERE = Path(__file__).parent
API_VERSION = "1"


def flask_config(settings: Settings) -> dict[str, Any]:
    """Everything create_app sets before the caller's overrides; the secret key comes from the settings."""
    return {
        "SECRET_KEY": settings.secret_key,
        "MAX_CONTENT_LENGTH": settings.max_body_bytes,  # larger bodies get 413
        "HERSTEL_PRODUCTION": settings.production,
        # cookies: the session is the page login; Secure only where there is HTTPS (production)
        "SESSION_COOKIE_NAME": "herstel_session",
        "SESSION_COOKIE_SECURE": settings.production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "PREFERRED_URL_SCHEME": "https" if settings.production else "http",
        # CSRF: a token per session (forms may stay open as long as the session lives)
        "WTF_CSRF_TIME_LIMIT": None,
        # rate limits: in memory for one process, in Redis when the installation has one
        "RATELIMIT_STORAGE_URI": settings.redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": "herstel",
        "RATELIMIT_HEADERS_ENABLED": True,
        "HERSTEL_LOGIN_LIMIT": "5 per minute;30 per hour",
        "HERSTEL_TOKEN_LIMIT": "10 per minute",
        # accepting an invitation for an existing account checks its password: as slow to guess as the login
        "HERSTEL_INVITATION_LIMIT": "5 per minute;30 per hour",
        "HERSTEL_CITIZEN_CODE_LIMIT": "10 per minute;50 per hour",
        # the demo mailbox page exists when `herstel up` runs its own SMTP sink (notifications.sink)
        "HERSTEL_MAILBOX": bool(settings.extra.get("mail_sink")),
        # i18n: Dutch first
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "BABEL_TRANSLATION_DIRECTORIES": str(HERE / "translations"),
        "HERSTEL_LANGUAGES": ("nl", "en"),
        # the API and its OpenAPI document (served at /api/v1/openapi.json, browsable at /api/v1/docs)
        "API_TITLE": "Herstel API",
        "API_VERSION": API_VERSION,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": (
                    "Carries an incident about a discriminating algorithm through the discrimination "
                    "protocol. Authenticate with `Authorization: Bearer <token>` (`herstel token create`). "
                    "Errors are RFC 9457 `application/problem+json`."
                ),
            },
            "security": [{"bearerAuth": []}],
        },
    }
