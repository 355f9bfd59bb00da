-- A service request can be cancelled while it waits for the team or is taken but not yet begun (the
-- resident, a grid worker for them, or a coordinator of the team). Who cancelled, when and why are
-- kept on the row; the volunteer who had taken it is named in the audit entry, since a cancelled
-- request has no volunteer (service_requests_taken).

-- +goose Up
ALTER TABLE service_requests
    ADD COLUMN cancelled_at  timestamptz,
    ADD COLUMN cancelled_by  text,
    ADD COLUMN cancel_reason text NOT NULL DEFAULT '',
    ADD CONSTRAINT service_requests_cancelled CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)
        AND (cancelled_at IS NULL) = (cancelled_by IS NULL) AND length(cancel_reason) <= 300
        AND (cancel_reason = '' OR status = 'cancelled'));

-- +goose Down
ALTER TABLE service_requests DROP CONSTRAINT service_requests_cancelled,
    DROP COLUMN cancel_reason, DROP COLUMN cancelled_by, DROP COLUMN cancelled_at;
