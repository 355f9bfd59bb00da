-- +goose Up
-- An organization's records for a period, in date order, read by its exports without sorting a
-- whole organization's history.
CREATE INDEX service_records_org ON service_records (org_id, service_date, id);

-- +goose Down
DROP INDEX service_records_org;
