"""deploy/gunicorn.conf.py's connection balancing: a worker holding more than its share of the
keep-alive connections closes the one it answers and stops accepting until it is back to its
share (the load benchmark measured the imbalance it fixes; test_load_short and test_faults run
gunicorn with this file)."""
from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def conf(monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "4")
    namespace = runpy.run_path(str(CONF))
    namespace["on_starting"](None)
    return namespace


def worker(age: int, held: int):
    return SimpleNamespace(age=age, nr_conns=held, worker_connections=1000,
                           cfg=SimpleNamespace(worker_connections=1000),
                           log=SimpleNamespace(exception=lambda *a: None))


def answer(conf, w):
    req = SimpleNamespace(must_close=False, req_number=5)
    conf["pre_request"](w, req)
    return req.must_close


def test_the_fair_share_counts_recent_workers_only(conf):
    fair_share = conf["fair_share"]
    table = [30, 100.0, 23, 100.0, 11, 100.0, 0, 100.0, 50, 90.0]   # the last is stale
    assert fair_share(30, table, 100.5, 4) == (True, 16)
    assert fair_share(17, table, 100.5, 4) == (False, 16)
    assert fair_share(11, table, 100.5, 4) == (False, 16)


def publish(conf, workers):
    """The counts as the workers last published them (each does at every request)."""
    held = conf["pre_request"].__globals__["_held"]
    for w in workers:
        slot = 2 * (w.age % conf["BALANCE_SLOTS"])
        held[slot], held[slot + 1] = w.nr_conns, time.monotonic()


def test_an_overloaded_worker_sheds_until_it_holds_its_share(conf):
    workers = [worker(1, 30), worker(2, 23), worker(3, 11), worker(4, 0)]
    publish(conf, workers)
    assert not answer(conf, workers[2]) and not answer(conf, workers[3])
    # 64 connections on 4 workers: 16 each. The one holding 30 closes the connection it answers
    # and accepts nothing more while it is above its share.
    busy = workers[0]
    assert answer(conf, busy) and busy.worker_connections == 16
    assert answer(conf, workers[1])            # 23 > 17 as well
    # Once back to its share (the 13 it closed went to the idle worker), it keeps its
    # connections and accepts again.
    busy.nr_conns, workers[3].nr_conns = 17, 13
    publish(conf, workers[3:])
    assert not answer(conf, busy) and busy.worker_connections == 1000


def test_one_worker_never_sheds(monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "1")
    namespace = runpy.run_path(str(CONF))
    namespace["on_starting"](None)
    lone = worker(1, 64)
    assert not answer(namespace, lone) and lone.worker_connections == 1000


def test_a_worker_freezes_the_loaded_app_out_of_the_garbage_collector(conf, monkeypatch):
    """What exists once the app is loaded is never walked again by a collection (the export's
    CPU in the web process: 39 → 33 ms, see post_worker_init)."""
    import gc

    import typesetting

    started = []
    monkeypatch.setattr(typesetting, "warm_up", lambda: started.append(True))
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        conf["post_worker_init"](worker(1, 0))
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
    deadline = time.monotonic() + 5
    while not started and time.monotonic() < deadline:     # the render workers' warm-up thread
        time.sleep(0.01)
    assert started


# -- forwarded headers: gunicorn believes them from the same proxies as the app ----------------

@pytest.mark.parametrize("hops, allowed", [(None, ""), ("0", ""), ("1", "127.0.0.1,::1")])
def test_gunicorn_trusts_forwarded_headers_only_with_trusted_hops(monkeypatch, hops, allowed):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    if hops is None:
        monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    else:
        monkeypatch.setenv("TRUSTED_PROXY_HOPS", hops)
    assert runpy.run_path(str(CONF))["forwarded_allow_ips"] == allowed


def test_gunicorn_takes_a_remote_proxy_address_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    assert runpy.run_path(str(CONF))["forwarded_allow_ips"] == "10.0.0.5"


# -- scripts/serve-production.sh guesses nothing ---------------------------------------------------

def serve(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RATELIMIT_STORAGE_URI")}
    return subprocess.run(["bash", str(ROOT / "scripts" / "serve-production.sh")], env={**base, **env},
                          capture_output=True, text=True, timeout=30)


def test_serve_production_refuses_without_a_database():
    done = serve(RATELIMIT_STORAGE_URI="redis://:pw@127.0.0.1:6379/0")
    assert done.returncode == 2 and "DATABASE_URL" in done.stderr and "例如" in done.stderr


@pytest.mark.parametrize("uri", [None, "redis://127.0.0.1:6379/0", "memory://"])
def test_serve_production_refuses_redis_without_a_password(uri):
    env = {"DATABASE_URL": "postgresql+psycopg://gonggao_app@127.0.0.1:5432/gonggao"}
    if uri:
        env["RATELIMIT_STORAGE_URI"] = uri
    done = serve(**env)
    assert done.returncode == 2 and "RATELIMIT_STORAGE_URI" in done.stderr and "密码" in done.stderr


def test_serve_production_reads_the_settings_from_env_file(tmp_path):
    """ENV_FILE: the one file of production settings, which the operator also sources before a
    `flask` command (README, "Production"): read here (DATABASE_URL comes from it, so the script
    goes on to the next setting), and refused while other users may read it."""
    env_file = tmp_path / "env"
    env_file.write_text("DATABASE_URL=postgresql+psycopg://gonggao_app@127.0.0.1:5432/gonggao\n"
                        "RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0\n", encoding="utf-8")
    env_file.chmod(0o644)
    loose = serve(ENV_FILE=str(env_file))
    assert loose.returncode == 2 and "chmod 600" in loose.stderr and "DATABASE_URL" not in loose.stderr
    env_file.chmod(0o600)
    done = serve(ENV_FILE=str(env_file))
    assert done.returncode == 2 and "DATABASE_URL" not in done.stderr, done.stderr
    assert "RATELIMIT_STORAGE_URI" in done.stderr and "密码" in done.stderr
    missing = serve(ENV_FILE=str(tmp_path / "absent"))
    assert missing.returncode == 2 and "ENV_FILE" in missing.stderr


def _serve_with_stand_ins(tmp_path, **env) -> list[str]:
    """serve-production.sh run from a copy of the project whose .venv/bin/flask and gunicorn only
    say they ran (and the senders wait to be stopped): which processes it starts beside gunicorn."""
    (tmp_path / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "serve-production.sh", tmp_path / "scripts")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    log = tmp_path / "started.log"
    (bin_dir / "flask").write_text(f'#!/bin/sh\necho "flask $3" >> {log}\n'
                                   'case "$3" in send-*) exec sleep 30 ;; esac\n', encoding="utf-8")
    (bin_dir / "gunicorn").write_text(f'#!/bin/sh\necho "gunicorn ${{BIND:-conf}} ${{WEB_WORKERS:-conf}}" >> {log}\n'
                                      'sleep 0.5\n', encoding="utf-8")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAIL_")}
    done = subprocess.run(["bash", str(tmp_path / "scripts" / "serve-production.sh")], capture_output=True, text=True,
                          timeout=20, env={**base, "DATABASE_URL": "postgresql+psycopg://gonggao_app@127.0.0.1/x",
                                           "RATELIMIT_STORAGE_URI": "redis://:pw@127.0.0.1:6379/0", **env})
    assert done.returncode == 0, done.stderr        # gunicorn ended (status 0): the senders were stopped
    return sorted(log.read_text(encoding="utf-8").split("\n")[:-1])


GUNICORNS = ["gunicorn 127.0.0.1:8001 2", "gunicorn conf conf"]     # the desk's, the public's


def test_the_webhook_sender_runs_beside_gunicorn_with_or_without_mail(tmp_path):
    """Agencies' webhooks wait in their outbox until `flask send-webhooks` sends them: it runs
    whether or not mail is set up; `flask send-mail` only with MAIL_SERVER."""
    assert _serve_with_stand_ins(tmp_path / "a") == ["flask send-webhooks", "flask upgrade-db", *GUNICORNS]
    assert _serve_with_stand_ins(tmp_path / "b", MAIL_SERVER="smtp.example.com") == [
        "flask send-mail", "flask send-webhooks", "flask upgrade-db", *GUNICORNS]


def test_the_desk_has_a_gunicorn_of_its_own_unless_told_otherwise(tmp_path):
    """nginx sends /desk/ to DESK_BIND (deploy/nginx.conf): a gunicorn of its own, two workers by
    default; DESK_WORKERS sets how many, and an empty DESK_BIND runs the one gunicorn only."""
    assert _serve_with_stand_ins(tmp_path / "a", BIND="127.0.0.1:9000", DESK_BIND="127.0.0.1:9001",
                                 DESK_WORKERS="3", WEB_WORKERS="5")[-2:] == [
        "gunicorn 127.0.0.1:9000 5", "gunicorn 127.0.0.1:9001 3"]
    assert [line for line in _serve_with_stand_ins(tmp_path / "b", DESK_BIND="")
            if line.startswith("gunicorn")] == ["gunicorn conf conf"]


# -- deploy/nginx.conf, installed as the README says, on Debian's own nginx ------------------------

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEBIAN_NGINX = Path("/etc/nginx")


def _readme_nginx_steps() -> str:
    """The shell block of README's "The TLS front: nginx" that installs the site."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### The TLS front: nginx", 1)[1]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return next(b for b in blocks if "deploy/nginx.conf >" in b)


@pytest.mark.skipif(not (DEBIAN_NGINX / "sites-enabled" / "default").exists() or not Path(NGINX).exists(),
                    reason="needs Debian's nginx as installed (make system-deps), with its default site")
def test_the_readme_nginx_steps_pass_nginx_t_on_a_stock_debian_nginx(tmp_path):
    """The finding: on a stock Debian nginx the README's steps failed `nginx -t` (Debian's
    sites-enabled/default and the template both declare the default server on port 80). The
    steps are run as written on a copy of this machine's /etc/nginx, its paths moved into the
    test's folder (logs too), a certificate made for the run in place of Let's Encrypt's."""
    etc = tmp_path / "etc-nginx"
    shutil.copytree(DEBIAN_NGINX, etc, symlinks=True)
    logs = tmp_path / "log"
    logs.mkdir()
    conf = (etc / "nginx.conf").read_text(encoding="utf-8")
    (etc / "nginx.conf").write_text(conf.replace("/etc/nginx", str(etc)).replace("/var/log/nginx", str(logs))
                                    .replace("/run/nginx.pid", str(tmp_path / "nginx.pid")), encoding="utf-8")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=gonggao.example.cn"],
                   check=True, capture_output=True, timeout=60)
    steps = (_readme_nginx_steps()
             .replace("/etc/letsencrypt/live/gonggao.example.cn/fullchain.pem", str(cert))
             .replace("/etc/letsencrypt/live/gonggao.example.cn/privkey.pem", str(key))
             .replace("/etc/nginx", str(etc))
             .replace("nginx -t", f"{NGINX} -q -c {etc / 'nginx.conf'} -e {logs / 'error.log'} -t")
             .replace("systemctl reload nginx", "echo reloaded"))
    assert "/etc/" not in steps.replace(str(etc), "")       # nothing of the machine's own is changed
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", steps], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "reloaded" in done.stdout, done.stderr
    site = (etc / "sites-enabled" / "gonggao").read_text(encoding="utf-8")
    for port in ("80", "443"):          # IPv6 as well as IPv4, for every server
        assert len(re.findall(rf"^\s*listen {port}\b", site, re.M)) == \
            len(re.findall(rf"^\s*listen \[::\]:{port}\b", site, re.M)) > 0
