-- What the app's role may do, asserted again after every migration (scripts/serve-production.sh
-- runs this as the owner role after `flask upgrade-db`; by hand:
--   psql -X -v ON_ERROR_STOP=1 -v app=gonggao_app -d "postgresql://gonggao_owner@…/gonggao" \
--        -f deploy/postgres-grants.sql). Idempotent. The schema is the owner's search_path
-- (deploy/postgres-roles.sql).
SELECT current_schema() AS schema \gset
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"app";
-- The audit log is a hash chain that only grows (store/audit.py, append_audit): the web
-- server adds entries and reads them; changing or removing one takes the owner's role.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM :"app";
-- The schema version belongs to the migrations.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM :"app";
