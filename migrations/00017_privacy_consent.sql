-- A person's consent to the privacy notice: when, and which version of the notice (/privacy).
-- Registration asks for it before an ID number is taken; people registered before, or imported by
-- an organization (whose written consent the organization keeps), have none recorded here.

-- +goose Up
ALTER TABLE users
    ADD COLUMN privacy_consent_at timestamptz,
    ADD COLUMN privacy_notice text CHECK (privacy_notice IS NULL OR privacy_notice ~ '^\d{4}-\d{2}-\d{2}$'),
    ADD CONSTRAINT users_privacy_consent_whole CHECK ((privacy_consent_at IS NULL) = (privacy_notice IS NULL));

-- +goose Down
ALTER TABLE users DROP CONSTRAINT users_privacy_consent_whole, DROP COLUMN privacy_notice, DROP COLUMN privacy_consent_at;
