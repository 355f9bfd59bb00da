-- A kiosk's or counter's session (a browser signed in at /device) is kept in PostgreSQL as well as in
-- Redis, as people's sessions are: a Redis outage or restart must not sign a counter out in the
-- middle of a day. Only the hash of the session id is kept.

-- +goose Up
CREATE TABLE device_sessions (
    key_hash     bytea       PRIMARY KEY,
    device_id    bigint      NOT NULL REFERENCES device_tokens (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    CONSTRAINT device_sessions_key_hash CHECK (length(key_hash) = 32)
);
CREATE INDEX device_sessions_last_used ON device_sessions (last_used_at);

-- +goose Down
DROP TABLE device_sessions;
