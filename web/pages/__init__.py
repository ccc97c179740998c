"""Server-rendered pages: they work without JavaScript, in Dutch and English, behind the session login."""
