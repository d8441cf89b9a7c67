-- The Python token service's database as its SQLAlchemy models create it (Base.metadata.create_all() on
-- PostgreSQL): serial ids, naive UTC timestamps, secrets and tokens in plain text. For the import-seed tests and
-- bench/import.sh.
CREATE TABLE clients (
    id SERIAL NOT NULL,
    client_id VARCHAR(255) NOT NULL,
    client_secret VARCHAR(255) NOT NULL,
    redirect_uri VARCHAR(500) NOT NULL,
    is_active BOOLEAN,
    created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(),
    updated_at TIMESTAMP WITHOUT TIME ZONE,
    PRIMARY KEY (id),
    UNIQUE (client_id)
);
CREATE INDEX ix_clients_id ON clients (id);
CREATE TABLE branches (
    id SERIAL NOT NULL,
    branch_id VARCHAR(255) NOT NULL,
    client_id INTEGER NOT NULL,
    branch_name VARCHAR(255),
    email VARCHAR(255),
    description TEXT,
    account_id VARCHAR(255),
    location_id VARCHAR(255),
    is_active BOOLEAN,
    created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(),
    updated_at TIMESTAMP WITHOUT TIME ZONE,
    PRIMARY KEY (id),
    FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE,
    UNIQUE (branch_id)
);
CREATE INDEX ix_branches_id ON branches (id);
CREATE TABLE tokens (
    id SERIAL NOT NULL,
    client_id INTEGER NOT NULL,
    access_token TEXT NOT NULL,
    refresh_token TEXT,
    expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    is_valid BOOLEAN,
    is_revoked BOOLEAN,
    last_refreshed_at TIMESTAMP WITHOUT TIME ZONE,
    created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(),
    updated_at TIMESTAMP WITHOUT TIME ZONE,
    PRIMARY KEY (id),
    FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE
);
CREATE INDEX ix_tokens_id ON tokens (id);
CREATE TABLE oauth_states (
    id SERIAL NOT NULL,
    state VARCHAR(255) NOT NULL,
    client_id INTEGER NOT NULL,
    expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    is_used BOOLEAN,
    created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(),
    PRIMARY KEY (id),
    FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE,
    UNIQUE (state)
);
