-- +goose Up
-- The roles held at a region node, for its page of people and roles, read without scanning every
-- grant of every organization.
CREATE INDEX role_grants_region ON role_grants (region_code) WHERE revoked_at IS NULL;

-- +goose Down
DROP INDEX role_grants_region;
