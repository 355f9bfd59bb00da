-- A service done for a resident outside any activity (a resident's request, a care visit) becomes a
-- verified service record by the same path as an activity's attendance: it is kept as a one-person
-- activity of kind 'service' with one scanned attendance, whose check-in and check-out are the
-- volunteer's start and finish at the door. Records, revisions, amendments by reversal, the credit
-- policy, certificates, exports and reports then read it as they read any other record.
--
--   * activities.kind: 'activity' (what organizations run and list) or 'service' (one service to a
--     resident, never listed, never scanned into, holding exactly one attendance);
--   * activities.service_key: what the service is, e.g. 'service_request:42': one activity, hence
--     one record and one earning, per key however often or concurrently it is recorded.

-- +goose Up
ALTER TABLE activities
    ADD COLUMN kind        text NOT NULL DEFAULT 'activity',
    ADD COLUMN service_key text,
    ADD CONSTRAINT activities_kind CHECK (kind IN ('activity', 'service')),
    ADD CONSTRAINT activities_service CHECK (kind = 'activity' AND service_key IS NULL
        OR kind = 'service' AND length(service_key) BETWEEN 1 AND 100 AND capacity = 1
            AND NOT signup_required AND series_id IS NULL AND is_service),
    ADD CONSTRAINT activities_service_key UNIQUE (service_key);

-- A service is one volunteer's: a second attendance (a scan, hours added by hand) is refused, and
-- an activity never changes kind.
-- +goose StatementBegin
CREATE FUNCTION attendances_one_per_service() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM activities a WHERE a.id = NEW.activity_id AND a.kind = 'service')
       AND EXISTS (SELECT 1 FROM attendances t WHERE t.activity_id = NEW.activity_id) THEN
        RAISE EXCEPTION 'activity % is one service: it has its attendance', NEW.activity_id
            USING ERRCODE = 'TB102';
    END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION activities_kind_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.kind, NEW.service_key) IS DISTINCT FROM (OLD.kind, OLD.service_key) THEN
        RAISE EXCEPTION 'activity %: its kind never changes', OLD.id USING ERRCODE = 'TB102';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER attendances_one_per_service BEFORE INSERT ON attendances
    FOR EACH ROW EXECUTE FUNCTION attendances_one_per_service();
CREATE TRIGGER activities_kind_fixed BEFORE UPDATE ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_kind_fixed();

-- +goose Down
DROP TRIGGER activities_kind_fixed ON activities;
DROP TRIGGER attendances_one_per_service ON attendances;
DROP FUNCTION activities_kind_fixed();
DROP FUNCTION attendances_one_per_service();
ALTER TABLE activities DROP COLUMN service_key, DROP COLUMN kind;
