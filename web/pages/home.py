"""The start page after signing in (the officer's dashboard replaces it)."""

from __future__ import annotations

from flask import Blueprint, render_template

blp = Blueprint("home", __name__)


@blp.get("/")
def index() -> str:
    return render_template("home.html")
