-- Least privilege for 公告台 on PostgreSQL (README, "Production"). Run once, as a superuser, in
-- the app's database, before the first migration:
--   psql -X -v ON_ERROR_STOP=1 -v owner=gonggao_owner -v app=gonggao_app -v schema=gonggao \
--        -d gonggao -f deploy/postgres-roles.sql
-- then give both roles a password with psql's \password (it sends a hash: the password stays
-- out of the shell history, the server log and the process list).
--
-- owner: owns the schema and its tables; runs the migrations (MIGRATION_DATABASE_URL).
-- app:   what the web server connects as (DATABASE_URL): reads and writes rows, creates and
--        alters nothing; deploy/postgres-grants.sql, run after each migration, makes the audit
--        log append-only for it.
CREATE ROLE :"owner" LOGIN;
CREATE ROLE :"app" LOGIN;
CREATE SCHEMA :"schema" AUTHORIZATION :"owner";
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC;
GRANT USAGE ON SCHEMA :"schema" TO :"app";
-- Both find the tables without a schema in the URL.
ALTER ROLE :"owner" SET search_path = :"schema";
ALTER ROLE :"app" SET search_path = :"schema";
-- Tables and sequences the owner's migrations create from now on: rows only, for the app.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema"
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema"
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
