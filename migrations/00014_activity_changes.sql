-- An activity can change before it starts (time, place, capacity, content), each change counted by
-- revision so that the volunteers signed up are told of each one once, and it can be cancelled with
-- a reason before it ends. Attendances already made stay: cancelling a running activity closes them
-- as a forgotten check-out would.

-- +goose Up
ALTER TABLE activities
    ADD COLUMN revision      integer NOT NULL DEFAULT 1,
    ADD COLUMN cancelled_at  timestamptz,
    ADD COLUMN cancelled_by  text,
    ADD COLUMN cancel_reason text,
    ADD CONSTRAINT activities_revision CHECK (revision >= 1),
    ADD CONSTRAINT activities_cancelled CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)
        AND (cancelled_at IS NULL) = (cancel_reason IS NULL) AND (cancelled_at IS NULL) = (cancelled_by IS NULL)),
    ADD CONSTRAINT activities_cancel_reason CHECK (length(cancel_reason) BETWEEN 1 AND 500);

-- +goose Down
ALTER TABLE activities DROP COLUMN revision, DROP COLUMN cancelled_at, DROP COLUMN cancelled_by,
    DROP COLUMN cancel_reason;
