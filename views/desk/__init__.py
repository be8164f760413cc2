"""The editor desk: review queue, notice pages (decide, edit, pay, schedule), issue planning
(column, export, publish), audit log, publisher settings and editor accounts.

One module per area, all on one blueprint (views/desk/common.py): queue, notices (one notice:
review, decisions, edit, payments, schedule, history), issues, settings, editors, audit,
documents (the advertiser's files beside a notice; payment and documents settings). Views stay
thin: reads and writes are store/ (accounts, workflow, issues, audit, settings: each write one
transaction with its audit entry); the typesetting comes from press/ (printing, column). Every page
works without JavaScript.
"""
from __future__ import annotations

from flask import request

from store.models import STATUS_LABELS, local_time_text
from store.settings import load_publisher
from views.desk import audit, documents, editors, issues, notices, queue, selfservice, settings
from views.desk.common import bp
from views.extensions import read_session

# The areas register their routes on `bp` as they are imported; importing them here is what
# puts every desk page on the blueprint.
AREAS = (queue, notices, issues, settings, editors, audit, documents, selfservice)


def init_app(app) -> None:
    from views import auth, proof, verify
    auth.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(proof.bp)

    @app.context_processor
    def _desk_helpers():
        helpers = {"status_labels": STATUS_LABELS, "local_time": local_time_text}
        if request.path.startswith("/desk"):
            helpers["publisher"] = load_publisher(read_session())
        return helpers
