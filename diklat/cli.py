"""The `diklat` command: local stack, services, publisher onboarding, contract documents."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from diklat import services as svc
from diklat.local import local_infra, stack_config, start_all, wait_for_interrupt
from diklat.stack import stack
from shared.publishing import messages

app = typer.Typer(
    help="ASN training coordination: local stack, services and tools.", no_args_is_help=True
)
stack_app = typer.Typer(
    help="The embedded local stack: PostgreSQL and the Tansu broker.", no_args_is_help=True
)
publishers_app = typer.Typer(help="Publisher onboarding.", no_args_is_help=True)
db_app = typer.Typer(help="Database roles and schemas.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(stack_app, name="stack")
app.add_typer(publishers_app, name="publishers")


@stack_app.command("up")
def stack_up() -> None:
    """Start PostgreSQL and Tansu on 127.0.0.1 (idempotent)."""
    status = stack.up(stack_config())
    typer.echo(status.table())


@stack_app.command("down")
def stack_down() -> None:
    """Stop the services, then PostgreSQL and Tansu: only the PIDs this stack recorded."""
    config = stack_config()
    for process in svc.processes(config.stack_dir):
        process.stop()
    stack.down(config)
    typer.echo("stack stopped")


@stack_app.command("status")
def stack_status() -> None:
    """What runs, with PIDs and addresses."""
    config = stack_config()
    typer.echo(stack.status(config).table())
    for process in svc.processes(config.stack_dir):
        pid = process.pid()
        state = "ready" if pid and process.is_ready() else "running" if pid else "stopped"
        typer.echo(f"{process.name:<14} {state:<8} {pid or '-':<8} {process.url}")


@app.command("run")
def run(
    service: Annotated[
        str, typer.Argument(help="enrolment | attendance | certification | consolidation | all")
    ],
    detach: Annotated[bool, typer.Option(help="with `all`: return once ready")] = False,
) -> None:
    """Run one service in the foreground, or all four as background processes."""
    if service != "all":
        import os

        from shared.runtime import ServiceRuntime
        from shared.settings import MissingSetting

        # In the foreground too: the README's demo tokens work however a local service starts.
        os.environ.update(svc.local_tokens(service, os.environ))
        try:
            runtime = ServiceRuntime(svc.definition(service))
        except MissingSetting as missing:
            raise SystemExit(str(missing)) from None  # the message, not a traceback
        asyncio.run(runtime.serve())
        return
    started = start_all()
    if detach:
        return
    wait_for_interrupt()
    for process in started:
        process.stop()


@app.command("demo")
def demo(wait: Annotated[bool, typer.Option(help="keep serving until Ctrl-C")] = True) -> None:
    """Start everything, publish the demo data, print what happened."""
    from diklat.demo import run_demo

    run_demo(wait)


@app.command("publish")
def publish(
    files: Annotated[list[Path], typer.Argument(help="CSV/XLSX sheets in the templates' format")],
    publisher: Annotated[str, typer.Option(help="publisher id: nasional, 15, 35.23 ...")],
    timeout: Annotated[float, typer.Option(help="seconds to wait for the outcomes")] = 120.0,
    force: Annotated[
        bool, typer.Option(help="send rows whose only problems are rules the services check")
    ] = False,
    debug: Annotated[bool, typer.Option(hidden=True, help="show tracebacks and logs")] = False,
) -> None:
    """Check spreadsheets, publish them as events and print the outcome of every row.

    Exit codes: 0 every row applied or duplicate; 1 problems in the files (nothing sent);
    2 some rows rejected; 3 outcomes still missing at the timeout; 4 the Kafka broker
    unreachable or refusing; 5 the publisher not onboarded; 70 an unexpected error (`--debug`
    shows it); 130 interrupted (Ctrl-C)."""
    from diklat.publish import publish_files

    if not debug:
        # The broker client logs each failed connection; the one-line message says it all.
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        code, _ = asyncio.run(
            publish_files(files, publisher, local_infra(), typer.echo, force=force, timeout=timeout)
        )
    except KeyboardInterrupt:
        typer.echo("dibatalkan (cancelled)", err=True)
        raise typer.Exit(130) from None
    except Exception:
        if debug:
            raise
        typer.echo(messages.unexpected(), err=True)
        raise typer.Exit(70) from None
    raise typer.Exit(code)


@app.command("outcomes")
def outcomes(
    publisher: Annotated[str, typer.Option(help="publisher id: nasional, 15, 35.23 ...")],
    since: Annotated[
        str | None, typer.Option(help="only from this UTC time on: 2024-03-04 or 2024-03-04T08:00")
    ] = None,
    cohort: Annotated[str | None, typer.Option(help="only this cohort code")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV instead of a table")] = False,
) -> None:
    """Outcomes and notices on the publisher's feedback topic, also those that came after
    `diklat publish` stopped waiting (parked then rejected, certificates, completion failed,
    reminders). Exit codes as `diklat publish` (1 a wrong option, 4 broker, 5 not onboarded)."""
    from diklat.publish.outcomes import as_csv as to_csv
    from diklat.publish.outcomes import as_table, outcome_lines
    from shared.publishing import messages
    from shared.publishing.send import Stopped

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    start = _utc(since) if since else None
    if since and start is None:
        typer.echo(messages.bad_since(since))
        raise typer.Exit(1)
    try:
        lines = asyncio.run(outcome_lines(publisher, local_infra(), since=start, cohort=cohort))
    except Stopped as stopped:
        typer.echo(str(stopped))
        raise typer.Exit(stopped.code) from None
    if as_csv:
        typer.echo(to_csv(lines), nl=False)
    else:
        as_table(lines, typer.echo)


def _utc(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@publishers_app.command("add")
def publishers_add(
    publisher: str,
    name: Annotated[str, typer.Option(help="e.g. 'BKD Kabupaten Tuban'")] = "",
    partitions: int = 6,
    password_env: Annotated[
        str, typer.Option(help="SASL brokers: variable holding the publisher's password")
    ] = "DIKLAT_PUBLISHER_PASSWORD",
    acls: Annotated[
        bool | None, typer.Option(help="create the SCRAM user and ACLs (default: on SASL)")
    ] = None,
) -> None:
    """Onboard a publisher: its ingest and feedback topics; on a SASL broker (KAFKA_SASL_* set
    to a super user) also its SCRAM user and literal ACLs."""
    import os

    from diklat import acl
    from shared.kafka import onboard_publisher
    from shared.regions import is_valid_publisher_id

    if not is_valid_publisher_id(publisher):
        raise typer.BadParameter(
            f"{publisher!r} is not nasional, a province code (15) or a kabupaten/kota code (35.23)"
        )
    infra = local_infra()
    created = asyncio.run(onboard_publisher(infra, publisher, partitions))
    label = f" ({name})" if name else ""
    typer.echo(
        f"publisher {publisher}{label}: "
        + (f"created {', '.join(created)}" if created else "topics already exist")
    )
    if acls or (acls is None and infra.kafka_sasl_mechanism):
        password = os.environ.get(password_env) or acl.new_password()
        grant = acl.grant_publisher(infra, publisher, password)
        typer.echo(f"SCRAM user {grant.user}: write ingest, read feedback and group only")
        if password_env not in os.environ:
            typer.echo(f"generated password (shown once): {password}")


@publishers_app.command("profile")
def publishers_profile(
    publisher: str,
    signatory_name: Annotated[
        str | None, typer.Option(help="e.g. 'Dr. H. Ahmad Yani, M.Si.'")
    ] = None,
    signatory_nip: Annotated[str | None, typer.Option(help="the signatory's 18-digit NIP")] = None,
    signatory_title: Annotated[
        str | None, typer.Option(help="e.g. 'Kepala BPSDM Provinsi Jambi'")
    ] = None,
    place: Annotated[str | None, typer.Option(help="place of issue, e.g. Jambi")] = None,
    url: Annotated[
        str | None, typer.Option(help="certification service (default DIKLAT_CERTIFICATION_URL)")
    ] = None,
) -> None:
    """Set a publisher's default signatory and place of issue (used when a schedule names none),
    through certification's admin API; the token is DIKLAT_ADMIN_TOKEN (local: the demo's)."""
    from diklat import profiles

    try:
        body = profiles.profile_body(signatory_name, signatory_nip, signatory_title, place)
        stored = asyncio.run(profiles.set_profile(publisher, body, url))
    except profiles.ProfileRefused as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(1) from None
    typer.echo(profiles.described(stored))


@db_app.command("provision")
def db_provision(
    services: Annotated[list[str] | None, typer.Argument(help="default: all four")] = None,
) -> None:
    """Create each service's login role and schema (DATABASE_URL must be a superuser).

    Passwords come from DIKLAT_<SERVICE>_DB_PASSWORD (local default if unset)."""
    import os

    from shared import db

    infra = local_infra()
    for name in services or list(svc.SERVICES):
        password = os.environ.get(f"DIKLAT_{name.upper()}_DB_PASSWORD") or db.local_password(name)
        asyncio.run(db.provision(infra.database_url, name, password))
        typer.echo(f"{name}: role {db.role_name(name)} owns schema {name}")


@app.command("rebuild")
def rebuild(
    partial_feedback: Annotated[
        bool,
        typer.Option(
            "--partial-feedback",
            help="go on when only feedback topics lost their first records "
            "(data-quality counts then incomplete)",
        ),
    ] = False,
) -> None:
    """Rebuild the national read model from the start of the topics, then swap it in; refused
    (exit 1, the live model unchanged) when a topic lost its first records or the result would
    have fewer rows than the live model."""
    from services.consolidation.entrypoints.commands import RebuildRefused
    from services.consolidation.entrypoints.commands import rebuild as run_rebuild

    try:
        events = asyncio.run(run_rebuild(local_infra(), partial_feedback=partial_feedback))
    except RebuildRefused as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"read model rebuilt from {events} events and swapped in")


@app.command("asyncapi")
def asyncapi(
    out: Annotated[Path, typer.Option(help="where to write")] = Path("docs/asyncapi.json"),
) -> None:
    """Generate the AsyncAPI document of the event contract: the services' live subscriptions,
    their route tables and the contract's pydantic models."""
    from shared.asyncapi import build_document

    out.parent.mkdir(parents=True, exist_ok=True)
    # Sorted keys: the file changes only when the contract or a subscription does.
    out.write_text(
        json.dumps(build_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
    typer.echo(f"wrote {out}")


credential_app = typer.Typer(help="Verifiable credentials of certificates.", no_args_is_help=True)
app.add_typer(credential_app, name="credential")


@credential_app.command("verify")
def credential_verify(
    source: Annotated[
        str, typer.Argument(help="a .jwt file or its URL (/verify/<code>/credential)")
    ],
    trusted: Annotated[
        list[str] | None,
        typer.Option(help="the organisers' base URL(s): refuse an issuer under none of them"),
    ] = None,
) -> None:
    """Check a certificate's credential: its signature with the issuer's published key, and its
    revocation status. Exit 0 valid, 1 revoked, 2 not valid or not checkable."""
    from diklat import credential_verify as cv

    async def check() -> cv.Result:
        async def fetch(url: str) -> bytes:
            return await asyncio.to_thread(cv.fetch_over_http, url)

        try:
            token = await cv.credential_from(source, fetch)
        except cv.FetchError as failed:
            return cv.Result(cv.Verdict.UNREADABLE, f"{source}: {failed}")
        return await cv.verify(token, fetch, trusted or ())

    result = asyncio.run(check())
    typer.echo("\n".join(result.lines()))
    if result.verdict in cv.SIGNED and not trusted:
        typer.echo(cv.ISSUER_NOTE)
    codes = {cv.Verdict.VALID: 0, cv.Verdict.REVOKED: 1}
    raise typer.Exit(codes.get(result.verdict, 2))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
