-- What a person must hear of (hours verified, an activity changed or cancelled, an order ready or
-- about to expire, a certificate issued) is written to the notification outbox in the same
-- transaction as the change, so that it is never lost with a crash and never made without the
-- change. A worker delivers each row through every channel it was written for, once: the in-app
-- inbox first (with a live push to the person's open pages), SMS or WeChat later. A message is kept as a kind and its parameters,
-- rendered in the reader's language when it is shown, never as text in one language.

-- +goose Up
CREATE TABLE notification_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id),
    kind       text        NOT NULL,
    params     jsonb       NOT NULL DEFAULT '{}',
    -- The event the notice is about, so that writing it twice (a retried request, two workers)
    -- tells the person once.
    event      text        NOT NULL,
    -- The channels that have yet to deliver it; a delivery removes its channel.
    pending    text[]      NOT NULL DEFAULT '{inbox}',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_outbox_once UNIQUE (user_id, event),
    CONSTRAINT notification_outbox_kind CHECK (kind ~ '^[a-z_]{1,40}$'),
    CONSTRAINT notification_outbox_params CHECK (jsonb_typeof(params) = 'object')
);

CREATE INDEX notification_outbox_pending ON notification_outbox (id) WHERE cardinality(pending) > 0;

-- The in-app inbox: one row per delivered notice. Only read_at ever changes, once.
CREATE TABLE notifications (
    id         bigint      PRIMARY KEY REFERENCES notification_outbox (id),
    user_id    bigint      NOT NULL REFERENCES users (id),
    kind       text        NOT NULL,
    params     jsonb       NOT NULL,
    created_at timestamptz NOT NULL,
    read_at    timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- +goose StatementBegin
CREATE FUNCTION notifications_read_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.read_at IS NOT NULL
       OR (NEW.id, NEW.user_id, NEW.kind, NEW.params, NEW.created_at)
          IS DISTINCT FROM (OLD.id, OLD.user_id, OLD.kind, OLD.params, OLD.created_at) THEN
        RAISE EXCEPTION 'notification %: only marking it read is allowed', OLD.id USING ERRCODE = 'TB009';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER notifications_read_only BEFORE UPDATE OR DELETE ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_read_only();

-- +goose Down
DROP TABLE notifications;
DROP FUNCTION notifications_read_only();
DROP TABLE notification_outbox;
