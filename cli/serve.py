"""The processes: `herstel up` and `demo` (everything in one), and `web`, `worker`, `scheduler` for production."""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from wsgiref.types import WSGIApplication

import click

from cli.context import Context, pass_context
from installation import Herstel, Settings, bootstrap, load_settings, upgrade_database
from installation import sink as mail_sink

log = logging.getLogger(__name__)


def _settings(context: Context, data_dir: str | None) -> Settings:
    overrides = dict(context.overrides)
    if data_dir:
        overrides["data_dir"] = data_dir
    return load_settings(**overrides)


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's sight (`gc.freeze`).

    The app, its schemas, SQLAlchemy's tables and the protocol definitions are about 200,000 objects
    that live as long as the process. Left in the oldest generation, every full collection walks
    them all: 100-180 ms with all of a gunicorn worker's threads stopped, measured in-process and
    seen as the slowest requests of `bench/web_latency.py` (issue #12). Frozen, a full collection
    walks only what requests made since, well under a millisecond.
    """
    gc.collect()
    gc.freeze()


def embedded_server(app: WSGIApplication, *, settings: Settings, host: str, port: int) -> Any:
    """The waitress server of `herstel up`; it refuses a body over the installation's limit itself.

    Waitress buffers a request's whole body (to a temporary file past 512 KB) before the app sees it,
    and by default takes up to 1 GiB: its limit is the app's largest, `HERSTEL_MAX_BODY_BYTES`, so
    a larger body is answered 413 from its headers and the connection closed. Smaller per-route
    limits are the app's (web.security).
    """
    from waitress.server import create_server

    return create_server(app, host=host, port=port, threads=8, max_request_body_size=settings.max_body_bytes)


def run_embedded(
    settings: Settings, *, host: str, port: int, seed: Callable[[Herstel, str], None] | None = None
) -> None:
    """Migrate, start workers, relay, scheduler and any capability hooks, then serve the web until stopped."""
    from web import create_app
    from workers.embedded import EmbeddedStack

    settings = replace(settings, base_url=f"http://{host}:{port}")
    herstel = bootstrap(settings)
    upgrade_database(herstel=herstel)
    herstel, stop_sink = mail_sink.on_up(herstel)  # no SMTP server configured: the demo receives its own mail
    stack = EmbeddedStack(herstel)
    stack.start()
    server = embedded_server(create_app(herstel=herstel), settings=settings, host=host, port=port)
    settle_heap()
    url = f"http://{host}:{port}"
    if seed is not None:
        seed(herstel, url)
    click.echo(f"Herstel is running at {url}  (database: {settings.resolved_database_url()})")
    click.echo("Stop with Ctrl+C.")

    def shutdown(*_: Any) -> None:
        threading.Thread(target=server.close, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
        stop_sink()
        herstel.close()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--data-dir", default=None, help="Where the SQLite database, keys and mail live (default ./var).")
@pass_context
def up(context: Context, host: str, port: int, data_dir: str | None) -> None:
    """Everything in one process: web, workers, relay and scheduler (SQLite unless HERSTEL_DATABASE_URL is set)."""
    run_embedded(_settings(context, data_dir), host=host, port=port)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--data-dir", default=None)
@pass_context
def demo(context: Context, host: str, port: int, data_dir: str | None) -> None:
    """`herstel up` with a realistic example incident; prints the URL and the demo logins."""
    from cli.demo import seed_demo

    run_embedded(_settings(context, data_dir), host=host, port=port, seed=seed_demo)


@click.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", "processes", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@pass_context
def web(context: Context, bind: str, processes: int, threads: int) -> None:
    """Serve the web and API with gunicorn (production)."""
    from gunicorn.app.base import BaseApplication

    from web import create_app

    settings = _settings(context, None)

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", processes)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 60)
            self.cfg.set("accesslog", "-")
            # gunicorn streams bodies to the app, which limits them (HERSTEL_MAX_BODY_BYTES, less per
            # route: web.security); what gunicorn itself reads are the request line and headers
            self.cfg.set("limit_request_line", 4094)
            self.cfg.set("limit_request_fields", 100)
            self.cfg.set("limit_request_field_size", 8190)

        def load(self) -> Any:
            app = create_app(herstel=bootstrap(settings))  # in each worker, after the fork
            settle_heap()
            return app

    Application().run()


def _require_redis(settings: Settings, command: str) -> None:
    if not settings.redis_url:
        raise click.UsageError(
            f"`herstel {command}` needs HERSTEL_REDIS_URL (without Redis, run everything in one process: `herstel up`)"
        )


@click.command()
@click.option("--processes", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@pass_context
def worker(context: Context, processes: int, threads: int) -> None:
    """Run dramatiq worker processes on Redis (start as many as needed, on as many machines)."""
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    _require_redis(_settings(context, None), "worker")
    arguments = make_argument_parser().parse_args(  # type: ignore[no-untyped-call]
        ["workers.entry", "--processes", str(processes), "--threads", str(threads)]
    )
    sys.exit(dramatiq_main(arguments))  # type: ignore[no-untyped-call]


@click.command()
@pass_context
def scheduler(context: Context) -> None:
    """Run the one scheduler: deadline sweeps, daily checkpoints, and the outbox relay."""
    from workers import runtime
    from workers.scheduler import run_forever

    settings = _settings(context, None)
    _require_redis(settings, "scheduler")
    herstel = bootstrap(settings)
    runtime.configure(herstel)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_forever(herstel)
