-- A service request for a person of the care registry names them by a foreign key: the request
-- tables (00028) were written apart from the registry (00026), so the key comes here.
-- The service checks besides that the person lives in the desk's own community.
--
-- care_contacts is every time someone came to a person of the registry: a care visit, or a service
-- request done for them and confirmed. The care board's last visit and the monthly visit rate read it,
-- so a 助餐 delivered through 幸福管家 counts as a visit as much as a paired volunteer's call.

-- +goose Up
ALTER TABLE service_requests
    ADD CONSTRAINT service_requests_care_person FOREIGN KEY (care_person_id) REFERENCES care_people (id);
CREATE INDEX service_requests_care_person ON service_requests (care_person_id, started_at)
    WHERE care_person_id IS NOT NULL AND status = 'confirmed';
CREATE VIEW care_contacts AS
    SELECT person_id, started_at, 'visit' AS kind FROM care_visits
    UNION ALL
    SELECT care_person_id, started_at, 'service' FROM service_requests
     WHERE care_person_id IS NOT NULL AND status = 'confirmed';

-- +goose Down
DROP VIEW care_contacts;
DROP INDEX service_requests_care_person;
ALTER TABLE service_requests DROP CONSTRAINT service_requests_care_person;
