"""Commands for editors, administrators and scripts: `flask --app app COMMAND`."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from store import migrate
from store.models import Notice
from store.operations import create_api_key
from views.extensions import get_db

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "seed-notices.json"


@click.command("upgrade-db")
def upgrade_db_command():
    """Create or migrate the database to the current schema (Alembic)."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("数据库已是最新结构。")


@click.command("load-demo")
def load_demo_command():
    """Load the seed page's 13 notices as demo data, into an empty database only."""
    from demo_data import load_demo
    count = load_demo(current_app._get_current_object(), DEMO_FILE)
    if count:
        click.echo(f"已载入示例公告 {count} 则（来自样张分类广告栏）。")
    else:
        click.echo("数据库中已有公告，未载入示例数据。")


@click.command("create-api-key")
@click.argument("name")
@click.option("--credit", is_flag=True, help="代理机构有记账额度（未付款也可排期）")
def create_api_key_command(name, credit):
    """Create an API key for an agency; the key is printed once and stored only as a hash."""
    key = create_api_key(get_db(), name, credit_account=credit)
    click.echo(key)


def init_app(app: Flask) -> None:
    for command in (upgrade_db_command, load_demo_command, create_api_key_command):
        app.cli.add_command(command)
