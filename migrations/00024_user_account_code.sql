-- A volunteer's ledger account is named by their user id, always: the signed-in request that reads
-- a balance (every phone, again and again) then needs no query to learn which account is theirs.

-- +goose Up
ALTER TABLE users ADD CONSTRAINT users_account_code_of_id CHECK (account_code = 'vol:' || id);

-- +goose Down
ALTER TABLE users DROP CONSTRAINT users_account_code_of_id;
