-- The two roles of the platform's database (docs/deployment.md, "Database roles and the migration step"). Run by an
-- administrator (a superuser, or a managed service's admin role with CREATEROLE) connected to the platform's
-- database, with the roles' passwords in the environment, never on the command line; safe to run again (it sets the
-- passwords given):
--   TOKENDB_OWNER_PASSWORD=… TOKENDB_APP_PASSWORD=… psql "<admin connection to tokendb>" -f scripts/database-roles.sql
-- tokenplatform_owner owns the schema and runs `dotnet Token.Api.dll migrate`; tokenplatform_app is what token-api
-- and token-refresher connect as: it reads and writes rows and cannot create, alter or drop anything.
\set ON_ERROR_STOP on
\getenv owner_password TOKENDB_OWNER_PASSWORD
\getenv app_password TOKENDB_APP_PASSWORD

SELECT format('CREATE ROLE tokenplatform_owner LOGIN PASSWORD %L', :'owner_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokenplatform_owner') \gexec
SELECT format('CREATE ROLE tokenplatform_app LOGIN PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokenplatform_app') \gexec
SELECT format('ALTER ROLE tokenplatform_owner PASSWORD %L', :'owner_password') \gexec
SELECT format('ALTER ROLE tokenplatform_app PASSWORD %L', :'app_password') \gexec

-- A managed service's admin is no superuser: to hand the database over it must be a member of the owner role.
SELECT format('GRANT tokenplatform_owner TO %I', current_user)
WHERE NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) \gexec

SELECT format('ALTER DATABASE %I OWNER TO tokenplatform_owner', current_database()) \gexec
SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO tokenplatform_app', current_database()) \gexec
ALTER SCHEMA public OWNER TO tokenplatform_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tokenplatform_app;

-- What the migration step creates from now on, and what an earlier one created.
ALTER DEFAULT PRIVILEGES FOR ROLE tokenplatform_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tokenplatform_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tokenplatform_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO tokenplatform_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tokenplatform_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tokenplatform_app;
