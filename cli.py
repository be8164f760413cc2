"""Commands for editors, administrators and scripts: `flask --app app COMMAND`."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from store import migrate
from store.accounts import create_api_key, list_api_keys, revoke_api_key
from store.db import Database

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "seed-notices.json"


def get_db() -> Database:
    """The app's database, as create_app() set it up. Read from the app here rather than imported
    from the web layer: the commands use the store and press/ only."""
    return current_app.extensions["notice_db"]


def _publisher():
    """The publisher's settings, or a message saying how to create the database."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from store.settings import load_publisher
    try:
        with get_db().session() as s:
            return load_publisher(s)
    except (OperationalError, ProgrammingError) as exc:
        raise click.ClickException(
            "数据库还没有建立或不是最新结构，请先运行：flask --app app upgrade-db"
            f"（数据库：{get_db().engine.url.render_as_string(hide_password=True)}）") from exc


def _with_the_audit_key(command):
    """For the commands that sign audit entries or verify them. A PostgreSQL database is the
    paper's own (README, "Production"): signed with a key this machine invented (store/audit.py
    makes instance/audit_key when AUDIT_KEY is not set, a convenience for a development SQLite
    file) its entries would never verify, and a verification would find every entry "altered".
    So without AUDIT_KEY the command refuses, unless APP_ENV=development says this PostgreSQL is
    a developer's, which uses the instance key like the development server does."""
    @functools.wraps(command)
    def checked(*args, **kwargs):
        from sqlalchemy.engine import make_url

        from store.audit import AUDIT_KEY_ENV
        url = make_url(current_app.config["DATABASE_URL"])
        if (url.get_backend_name() == "postgresql" and not os.environ.get(AUDIT_KEY_ENV, "").strip()
                and current_app.config.get("APP_ENV") != "development"):
            raise click.ClickException(
                f"DATABASE_URL 是 PostgreSQL，却没有设置 {AUDIT_KEY_ENV}：命令没有执行。"
                "请在生产环境的设置下运行（APP_ENV、DATABASE_URL、AUDIT_KEY、SECRET_KEY 等），"
                "例如：set -a; . /etc/gonggao/env; set +a; .venv/bin/flask --app app verify-audit"
                "（见 README 的“Production”一节）；开发用的 PostgreSQL 请加 APP_ENV=development。")
        return command(*args, **kwargs)
    return checked


@click.command("upgrade-db")
@with_appcontext
def upgrade_db_command():
    """Create or migrate the database to the current schema (Alembic)."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("数据库已是最新结构。")


@click.command("load-demo")
@with_appcontext
@_with_the_audit_key
def load_demo_command():
    """Load the seed page's 13 notices as demo data, into an empty database only."""
    from demo_data import load_demo
    count = load_demo(current_app._get_current_object(), DEMO_FILE)
    if count:
        click.echo(f"已载入示例公告 {count} 则（来自样张分类广告栏）。")
    else:
        click.echo("数据库中已有公告，未载入示例数据。")


@click.command("remove-demo")
@with_appcontext
@_with_the_audit_key
@click.option("--dry-run", is_flag=True, help="只列出将删除的内容，不删除")
@click.option("--yes", is_flag=True, help="不再询问，直接删除（供脚本使用）")
def remove_demo_command(dry_run, yes):
    """Remove the demo notices load-demo loaded, with their payments, mails and documents;
    refused if one was published or is tied to a real notice (store/demo.py). The audit log
    keeps every entry and gets one more saying what was removed."""
    from store.demo import DEMO_NEWSPAPER, NothingToRemove, remove_demo
    from store.documents import DocumentStore, documents_root
    from store.errors import DeskError
    db = get_db()
    try:
        plan = remove_demo(db, actor="cli", dry_run=True)
    except NothingToRemove as exc:
        click.echo(exc.message)
        return
    except DeskError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"示例公告 {len(plan.references)} 则：{'、'.join(plan.references)}")
    click.echo(f"连同：{plan.summary()}（line_settings 是排版缓存，全部清空，下次排版时重建）")
    if plan.newspaper_cleared:
        click.echo(f"报纸名称仍是载入示例时填的“{DEMO_NEWSPAPER}”，将清空；导出前请在“报社设置”中填写。")
    if dry_run:
        click.echo("（--dry-run：没有删除任何内容。）")
        return
    if not yes and not click.confirm("确定删除以上示例数据吗？操作日志不删除，只追加一条记录", default=False):
        raise click.ClickException("没有确认，未删除。")
    try:
        removal = remove_demo(db, actor="cli")
    except NothingToRemove as exc:
        click.echo(exc.message)
        return
    except DeskError as exc:
        raise click.ClickException(exc.message) from None
    files = DocumentStore(documents_root(current_app.config, current_app.instance_path))
    deleted = sum(1 for sha in removal.files if files.delete(sha))
    click.echo(f"已删除示例公告 {len(removal.references)} 则（{removal.summary()}；材料文件 {deleted} 个），"
               "操作日志已追加一条“删除示例数据”记录。")


@click.command("create-api-key")
@with_appcontext
@_with_the_audit_key
@click.argument("name")
@click.option("--credit", is_flag=True, help="代理机构有记账额度（未付款也可排期）")
def create_api_key_command(name, credit):
    """Create an API key for an agency; the key is printed once and stored only as a hash."""
    key = create_api_key(get_db(), name, credit_account=credit)
    click.echo(key)


@click.command("list-api-keys")
@with_appcontext
def list_api_keys_command():
    """List the agencies' API keys: prefix, name, created, revoked (the keys themselves are not kept)."""
    with get_db().session() as s:
        for row in list_api_keys(s):
            state = f"已吊销 {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "有效"
            credit = "（记账）" if row.credit_account else ""
            click.echo(f"ggk_{row.prefix}_…  {row.name}{credit}  创建于 {row.created_at:%Y-%m-%d}  {state}")


@click.command("revoke-api-key")
@with_appcontext
@_with_the_audit_key
@click.argument("prefix")
def revoke_api_key_command(prefix):
    """Revoke an agency's API key by its prefix (ggk_PREFIX_…), e.g. when it has leaked."""
    prefix = prefix.removeprefix("ggk_").split("_")[0]
    row = revoke_api_key(get_db(), prefix, actor="cli")
    if row is None:
        raise click.ClickException(f"没有前缀为 {prefix} 的 API 密钥。")
    click.echo(f"已吊销 {row.name} 的 API 密钥 ggk_{row.prefix}_…（运行中的服务在几秒内停止接受它）。")


@click.command("set-webhook")
@with_appcontext
@_with_the_audit_key
@click.argument("prefix")
@click.argument("url", default="")
def set_webhook_command(prefix, url):
    """Give an agency's key (ggk_PREFIX_…) a status webhook URL; prints the new signing secret
    once. Without URL the webhook is turned off (store/webhooks.py)."""
    from store.errors import DeskError
    from store.webhooks import SIGNATURE_HEADER, set_webhook
    prefix = prefix.removeprefix("ggk_").split("_")[0]
    try:
        secret = set_webhook(get_db(), prefix, url, actor="cli")
    except DeskError as exc:
        raise click.ClickException(exc.message) from None
    if not url:
        click.echo(f"已关闭 ggk_{prefix}_… 的状态通知。")
        return
    click.echo(f"状态变化将 POST 到 {url}，请求头 {SIGNATURE_HEADER}: sha256=<请求体的 HMAC-SHA256>。"
               "签名密钥（只显示这一次，请交给代理机构）：")
    click.echo(secret)


@click.command("send-webhooks")
@with_appcontext
@click.option("--once", is_flag=True, help="发送此刻到期的通知后退出（不常驻）")
def send_webhooks_command(once):
    """POST the agencies' status webhooks from their outbox (store/webhooks.py); runs until stopped."""
    import logging
    import signal
    import threading

    from store import webhooks
    db = get_db()
    stop = threading.Event()
    if not once:
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
    total = webhooks.SendReport()
    while not stop.is_set():
        try:
            report = webhooks.send_due(db, _app_now)
        except Exception:        # the database down, say: keep the sender alive, try again
            if once:
                raise
            logging.getLogger("gonggao.webhooks").exception("webhook pass failed; trying again in 5 s")
            stop.wait(5.0)
            continue
        total.sent, total.retried, total.failed = (total.sent + report.sent, total.retried + report.retried,
                                                   total.failed + report.failed)
        if once and (not report.sent or report.retried or report.failed):
            break
        if not once and not report.sent:
            stop.wait(5.0)
    click.echo(f"已送达 {total.sent} 个，稍后重试 {total.retried} 个，放弃 {total.failed} 个。")


@click.command("create-editor")
@with_appcontext
@_with_the_audit_key
@click.argument("name")
@click.option("--admin", is_flag=True, help="管理员：还可以管理编辑账号和报社设置")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行），供脚本使用")
def create_editor_command(name, admin, password_stdin):
    """Create an editor account (asks for the password twice unless --password-stdin)."""
    from store import accounts
    from store.errors import DeskError
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再输一次")
    try:
        user = accounts.create_user(get_db(), name, password, role="admin" if admin else "editor", actor="cli",
                                    hasher=accounts.password_hasher(current_app.config.get("PASSWORD_HASHER_PARAMS")))
    except DeskError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"已开设{'管理员' if admin else '编辑'}账号“{user.username}”。")


@click.command("export-column")
@with_appcontext
@_with_the_audit_key
@click.argument("issue_date")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True),
              help="付印PDF写到这个文件")
@click.option("--continue-overflow", is_flag=True, help="排不下的公告续排到下一页")
def export_column_command(issue_date, output, continue_overflow):
    """Export an issue's classified column as the print PDF (recorded like an export from the desk)."""
    from datetime import date

    from press import printing
    from press.column import export_column
    from store.errors import DeskError
    try:
        day = date.fromisoformat(issue_date)
    except ValueError:
        raise click.BadParameter("日期请写成 YYYY-MM-DD，例如 2026-12-01。", param_hint="ISSUE_DATE") from None
    publisher = _publisher()
    try:
        outcome = export_column(publisher, day, db=get_db(), actor="cli", continue_overflow=continue_overflow)
    except DeskError as exc:
        raise click.ClickException(exc.message) from None
    except (printing.RenderError, printing.AlteredText) as exc:
        raise click.ClickException(f"排版失败：{exc}") from None
    Path(output).write_bytes(outcome.pdf)
    click.echo(f"已导出 {day.isoformat()}：{len(outcome.placed)} 则公告，{outcome.export.pages} 页，"
               f"写入 {output}（导出记录 #{outcome.export.id}，SHA-256 {outcome.export.pdf_hash}）。")
    if outcome.overflow:
        click.echo(f"注意：{len(outcome.overflow)} 则排不下，未在PDF中：{'、'.join(outcome.overflow)}。"
                   "请改期，或加 --continue-overflow 续排到下一页。", err=True)


def compose_for_typesetting(type_code: str, data: dict) -> tuple[str, str, str | None]:
    """(title, body, price category; None: the rate card's default rule) of one item of
    `flask typeset`: fields are checked and composed exactly as the web form does; a given text is
    checked for invisible characters and normalised. Errors stop the command with the notice's
    Chinese messages."""
    from notices.catalogue import CATALOGUE
    from notices.checks import check_notice
    from notices.text import find_forbidden, forbidden_message, normalise_text
    notice_type = CATALOGUE.get(type_code)
    if notice_type is None:
        raise ValueError(f"没有“{type_code}”这种公告类型，可选：{'、'.join(CATALOGUE)}。")
    if set(data) == {"text"}:
        text = str(data["text"])
        found = find_forbidden(text, multiline=True)
        if found:
            raise ValueError(forbidden_message(found, f"{notice_type.title}正文"))
        return notice_type.title, normalise_text(text).text, notice_type.price_category
    result = check_notice(type_code, data, None, None, require_open=False)
    if not result.ok:
        raise ValueError(f"{notice_type.title}：" + "；".join(e.message for e in result.errors))
    return result.title, result.text, notice_type.price_category_for(result.fields)


@click.command("verify-audit")
@with_appcontext
@_with_the_audit_key
@click.option("--incremental", is_flag=True, help="只核验上次核验以后新增的记录（与打开操作日志页相同）")
def verify_audit_command(incremental):
    """Verify the audit log: every entry (default) or those since the last checkpoint; exit 1 if not intact.
    Run it regularly (e.g. nightly from cron): the desk's page hashes only new entries."""
    from store import audit
    try:
        with get_db().session() as s:
            result = audit.verify_audit(s, full=not incremental)
        audit.record_verification(get_db(), result, "cli")     # keeps nothing of a run under another key
    except audit.AuditKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    if result.other_key:
        # Not "altered": this process has another key than the one the log was written with.
        click.echo("\n".join(result.problems), err=True)
        sys.exit(2)
    for note in result.notes:
        click.echo(f"注意：{note}", err=True)
    if result.ok:
        scope = (f"全部 {result.total} 条记录逐条核验" if result.full else
                 f"日志共 {result.total} 条，上次核验以后新增的 {result.checked} 条逐条核验")
        legacy = f"（其中最早的 {result.legacy} 条写于启用审计密钥之前）" if result.legacy else ""
        click.echo(f"核验通过：{scope}{legacy}，没有被改动或删除的迹象。")
        return
    click.echo("核验未通过：日志在应用之外被改动过。请保留数据库现状并报告管理员。", err=True)
    if result.bad:
        shown = "、".join(f"#{i}" for i in result.bad[:50]) + (" 等" if len(result.bad) > 50 else "")
        click.echo(f"- {len(result.bad)} 条记录与其校验值不符：{shown}", err=True)
    for problem in result.problems:
        click.echo(f"- {problem}", err=True)
    sys.exit(1)


def _app_now():
    """The app's clock, as views/clock.py reads it (config NOW in tests), for a command."""
    from datetime import datetime, timezone
    return current_app.config.get("NOW") or datetime.now(timezone.utc)


@click.command("send-mail")
@with_appcontext
@click.option("--once", is_flag=True, help="发送此刻到期的邮件后退出（不常驻）")
def send_mail_command(once):
    """Send the advertisers' progress mails from the outbox (README, "Mail"); runs until stopped."""
    import logging
    import signal
    import threading

    import mailer
    from store import outbox
    try:
        settings = mailer.SmtpSettings.from_config(current_app.config)
    except mailer.MailConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if settings is None:
        raise click.ClickException(
            "没有设置 MAIL_SERVER：邮件不会发出，留在发件箱里等设置好再发。例如：MAIL_SERVER=smtp.example.cn "
            "MAIL_PORT=587 MAIL_USE_TLS=1 MAIL_USERNAME=… MAIL_PASSWORD=… "
            "MAIL_DEFAULT_SENDER='测试日报 <notice@gonggao.example.cn>'（见 README 的“Mail”一节）。")
    db = get_db()
    if once:
        outbox.sweep_missed(db)
        total = mailer.SendReport()
        while True:
            report = mailer.send_due(db, settings, _app_now)
            total.sent, total.retried, total.failed = (total.sent + report.sent, total.retried + report.retried,
                                                       total.failed + report.failed)
            if not report.sent or report.retried or report.failed:
                break
        click.echo(f"已发送 {total.sent} 封，稍后重试 {total.retried} 封，放弃 {total.failed} 封。")
        return
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    click.echo(f"发送进度邮件：经 {settings.server}:{settings.port}，每 {mailer.POLL_SECONDS:g} 秒查看一次发件箱。")
    mailer.run(db, settings, _app_now, stop=stop)


def _typesetting_provider():
    from press import printing
    publisher = _publisher()

    def compose(type_code: str, data: dict) -> tuple[str, str, str | None]:
        # The body as it prints: ID numbers masked by the paper's setting, as in the desk's export.
        title, body, category = compose_for_typesetting(type_code, data)
        return title, printing.printable_text(publisher, body), category
    return printing.layout_settings(publisher), printing.rate_card(publisher), compose


@click.command("purge-documents")
@with_appcontext
@_with_the_audit_key
@click.option("--dry-run", is_flag=True, help="只列出到期的材料，不删除")
def purge_documents_command(dry_run):
    """Delete the advertisers' documents whose day has come: the publisher's
    document_retention_days after publication (or after a rejection or withdrawal), and files no
    confirmed notice claimed within a day (store/documents.py). Run it daily (README, "Documents")."""
    from datetime import datetime, timezone

    from store.documents import DocumentStore, documents_root, purge_documents
    publisher = _publisher()
    root = documents_root(current_app.config, current_app.instance_path)
    now = current_app.config.get("NOW") or datetime.now(timezone.utc)
    report = purge_documents(get_db(), DocumentStore(root), now=now, dry_run=dry_run, actor="cli",
                             retention_days=publisher.document_retention_days)
    verb = "到期（未删除，--dry-run）" if dry_run else "已删除"
    click.echo(f"材料{verb}：{report.documents} 份（文件 {report.files} 个，其中无人认领的 {report.unclaimed} 个）；"
               f"保存期限：见报后 {publisher.document_retention_days} 天。")


def init_app(app: Flask) -> None:
    from typesetting.cli import typeset_command
    app.extensions["typesetting.provider"] = _typesetting_provider
    app.cli.add_command(typeset_command)
    for command in (upgrade_db_command, load_demo_command, remove_demo_command, create_api_key_command,
                    list_api_keys_command,
                    revoke_api_key_command, create_editor_command,
                    export_column_command, verify_audit_command, send_mail_command):
        app.cli.add_command(command)
    app.cli.add_command(purge_documents_command)
    app.cli.add_command(set_webhook_command)
    app.cli.add_command(send_webhooks_command)
