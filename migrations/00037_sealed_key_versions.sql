-- One key table for every sealed column (pkg/sealed). The care registry kept its key versions in
-- care_key_versions, while the service desk sealed residents' phones and addresses under version 1
-- for ever, out of reach of a rotation. sealed_key_versions takes the registry's versions as they
-- are; care_people and service_requests both name in key_version the version their row is sealed
-- under, and `timebank keys rotate` re-seals every table that references sealed_key_versions.
--
-- The convention a sealed table follows (the rotation finds such tables in the catalog): bytea
-- columns <field>_sealed, sealed for the name "<table>.<field>"; an id; key_version referencing
-- sealed_key_versions.
--
-- The service requests' key version is read from their sealed phone (its first two bytes). When the
-- registry had rotated past the version requests were sealed under, the newest version is marked
-- unfinished again: the next `timebank keys rotate` re-seals the requests under it first.

-- +goose Up
CREATE TABLE sealed_key_versions (
    version     integer     PRIMARY KEY,
    started_by  text        NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CONSTRAINT sealed_key_versions_range CHECK (version BETWEEN 1 AND 65535)
);
INSERT INTO sealed_key_versions (version, started_by, started_at, finished_at)
SELECT version, started_by, started_at, finished_at FROM care_key_versions;

ALTER TABLE care_people DROP CONSTRAINT care_people_key_version_fkey,
    ADD CONSTRAINT care_people_key_version_fkey FOREIGN KEY (key_version) REFERENCES sealed_key_versions (version);
DROP TABLE care_key_versions;

ALTER TABLE service_requests ADD COLUMN key_version integer;
UPDATE service_requests SET key_version = get_byte(phone_sealed, 0) * 256 + get_byte(phone_sealed, 1);
ALTER TABLE service_requests ALTER COLUMN key_version SET NOT NULL,
    ADD CONSTRAINT service_requests_key_version_fkey FOREIGN KEY (key_version) REFERENCES sealed_key_versions (version);
CREATE INDEX service_requests_key_version ON service_requests (key_version);

UPDATE sealed_key_versions SET finished_at = NULL
WHERE version = (SELECT max(version) FROM sealed_key_versions)
  AND EXISTS (SELECT 1 FROM service_requests WHERE key_version < sealed_key_versions.version);

-- +goose Down
CREATE TABLE care_key_versions (
    version     integer     PRIMARY KEY,
    started_by  text        NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CONSTRAINT care_key_versions_range CHECK (version BETWEEN 1 AND 65535)
);
INSERT INTO care_key_versions (version, started_by, started_at, finished_at)
SELECT version, started_by, started_at, finished_at FROM sealed_key_versions;
ALTER TABLE care_people DROP CONSTRAINT care_people_key_version_fkey,
    ADD CONSTRAINT care_people_key_version_fkey FOREIGN KEY (key_version) REFERENCES care_key_versions (version);
DROP INDEX service_requests_key_version;
ALTER TABLE service_requests DROP COLUMN key_version;
DROP TABLE sealed_key_versions;
