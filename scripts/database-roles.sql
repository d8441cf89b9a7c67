-- The two roles of the platform's database (docs/deployment.md, "Database roles"). Run as a superuser (or a role
-- with CREATEROLE that owns the database), connected to the platform's database; safe to run again:
--   psql "<admin connection string to tokendb>" -v owner_password=... -v app_password=... -f scripts/database-roles.sql
-- tokenplatform_owner owns the schema and runs `dotnet Token.Api.dll migrate`; tokenplatform_app is what token-api
-- and token-refresher connect as: it reads and writes rows and cannot create, alter or drop anything.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE tokenplatform_owner LOGIN PASSWORD %L', :'owner_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokenplatform_owner') \gexec
SELECT format('CREATE ROLE tokenplatform_app LOGIN PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokenplatform_app') \gexec

SELECT format('ALTER DATABASE %I OWNER TO tokenplatform_owner', current_database()) \gexec
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
