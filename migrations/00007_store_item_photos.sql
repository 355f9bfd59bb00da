-- A photo per item of a store's catalogue, kept in the database beside the item: one small JPEG
-- (at most 800×800, re-encoded by the Go code, so no metadata of the upload survives), served to the
-- catalogue with its sha256 as the ETag. Replacing a photo replaces the row; a photo is not part of
-- the store's books, so it keeps no history (the audit log records who changed it).

-- +goose Up
CREATE TABLE store_item_photos (
    item_id      bigint      PRIMARY KEY,
    store_id     bigint      NOT NULL,
    data         bytea       NOT NULL,
    content_type text        NOT NULL,
    width        integer     NOT NULL,
    height       integer     NOT NULL,
    byte_size    integer     NOT NULL,
    etag         text        NOT NULL,
    uploaded_by  text        NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT store_item_photos_item_fkey FOREIGN KEY (store_id, item_id)
        REFERENCES store_items (store_id, id) ON DELETE CASCADE,
    CONSTRAINT store_item_photos_type CHECK (content_type = 'image/jpeg'),
    CONSTRAINT store_item_photos_size CHECK (width BETWEEN 1 AND 800 AND height BETWEEN 1 AND 800
        AND byte_size = octet_length(data) AND byte_size BETWEEN 1 AND 5242880),
    CONSTRAINT store_item_photos_etag CHECK (etag ~ '^[0-9a-f]{64}$')
);

-- +goose Down
DROP TABLE store_item_photos;
