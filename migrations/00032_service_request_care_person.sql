-- A service request for a person of the care registry names them by a foreign key: the request
-- tables (00028) were written apart from the registry (00026), so the key comes here.
-- The service checks besides that the person lives in the desk's own community.

-- +goose Up
ALTER TABLE service_requests
    ADD CONSTRAINT service_requests_care_person FOREIGN KEY (care_person_id) REFERENCES care_people (id);
CREATE INDEX service_requests_care_person ON service_requests (care_person_id) WHERE care_person_id IS NOT NULL;

-- +goose Down
DROP INDEX service_requests_care_person;
ALTER TABLE service_requests DROP CONSTRAINT service_requests_care_person;
