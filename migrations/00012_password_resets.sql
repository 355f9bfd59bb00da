-- People who forgot their password get back in with a one-time code: one an organization's staff
-- issue after checking the person in person (valid 24 hours), or one sent by SMS where a gateway is
-- configured (valid 10 minutes). A code is kept only as a keyed hash; it is used once, voided after
-- five wrong tries, and voided when a newer code is issued or one is used.

-- +goose Up
CREATE TABLE password_resets (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id),
    channel    text        NOT NULL,
    code_hash  bytea       NOT NULL,
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    tries      integer     NOT NULL DEFAULT 0,
    used_at    timestamptz,
    voided_at  timestamptz,
    CONSTRAINT password_resets_channel CHECK (channel IN ('staff', 'sms')),
    CONSTRAINT password_resets_tries CHECK (tries BETWEEN 0 AND 5),
    CONSTRAINT password_resets_once CHECK (used_at IS NULL OR voided_at IS NULL)
);
CREATE INDEX password_resets_active ON password_resets (user_id) WHERE used_at IS NULL AND voided_at IS NULL;
CREATE INDEX password_resets_recent ON password_resets (user_id, created_at);

-- +goose Down
DROP TABLE password_resets;
