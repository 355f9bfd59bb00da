-- Sessions are kept in PostgreSQL as well as in Redis: Redis answers every request, PostgreSQL keeps
-- them through a Redis outage or restart, so that neither signs anybody out. Only a hash of the
-- token's random part is kept, as in Redis: a copy of the table does not let anyone sign in.

-- +goose Up
CREATE TABLE sessions (
    key_hash     bytea       PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id),
    app          boolean     NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    CONSTRAINT sessions_key_hash CHECK (length(key_hash) = 32)
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_last_used ON sessions (last_used_at);

-- +goose Down
DROP TABLE sessions;
