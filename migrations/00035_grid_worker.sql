-- The grid worker (网格员): a person of a community or street who asks for services on residents'
-- behalf and confirms them done (pkg/servicedesk), and reads the community's care board masked. The
-- role is held at a region node only, as a region administrator's is.
--
-- Someone asking for a resident who is not in the care registry names them: the name is sealed as the
-- phone and address are (pkg/sealed), and NULL when none was given.

-- +goose Up
ALTER TABLE role_grants DROP CONSTRAINT role_grants_role, DROP CONSTRAINT role_grants_scope;
ALTER TABLE role_grants
    ADD CONSTRAINT role_grants_role CHECK (role IN ('volunteer', 'coordinator', 'clerk', 'store_manager',
        'org_admin', 'auditor', 'grid_worker', 'region_admin', 'platform_admin')),
    ADD CONSTRAINT role_grants_scope CHECK (CASE role
        WHEN 'platform_admin' THEN scope_kind = 'platform'
        WHEN 'region_admin' THEN scope_kind = 'region'
        WHEN 'grid_worker' THEN scope_kind = 'region'
        WHEN 'clerk' THEN scope_kind = 'store'
        WHEN 'store_manager' THEN scope_kind = 'store'
        WHEN 'auditor' THEN scope_kind IN ('region', 'org', 'store')
        ELSE scope_kind = 'org' END);
ALTER TABLE service_requests ADD COLUMN name_sealed bytea;

-- +goose Down
ALTER TABLE service_requests DROP COLUMN name_sealed;
-- Going back forgets the grid workers: the old constraint cannot hold their rows.
DELETE FROM role_grants WHERE role = 'grid_worker';
ALTER TABLE role_grants DROP CONSTRAINT role_grants_role, DROP CONSTRAINT role_grants_scope;
ALTER TABLE role_grants
    ADD CONSTRAINT role_grants_role CHECK (role IN ('volunteer', 'coordinator', 'clerk', 'store_manager',
        'org_admin', 'auditor', 'region_admin', 'platform_admin')),
    ADD CONSTRAINT role_grants_scope CHECK (CASE role
        WHEN 'platform_admin' THEN scope_kind = 'platform'
        WHEN 'region_admin' THEN scope_kind = 'region'
        WHEN 'clerk' THEN scope_kind = 'store'
        WHEN 'store_manager' THEN scope_kind = 'store'
        WHEN 'auditor' THEN scope_kind IN ('region', 'org', 'store')
        ELSE scope_kind = 'org' END);
