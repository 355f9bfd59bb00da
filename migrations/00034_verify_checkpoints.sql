-- `timebank verify` checks, by default, only what came after the last clean check of the parts of
-- the books that only grow (transactions by id, report days before a date), plus the invariants of
-- the whole tables; `timebank verify --full` re-checks everything.
--
-- One row per check that can be incremental: the highest key (transaction id, day number) up to
-- which it was last found clean, and a digest of what it verified at that key, so that a checkpoint
-- which no longer describes this database (restored, reloaded, tampered with at the checkpoint) is
-- ignored and the check runs in full. A row moves only after a clean check.

-- +goose Up
CREATE TABLE verify_checkpoints (
    name        text        PRIMARY KEY,
    upto        bigint      NOT NULL,
    digest      text        NOT NULL,
    verified_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE verify_checkpoints;
