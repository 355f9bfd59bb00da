package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// Limits of an item's photo. An upload is refused over MaxPhotoBytes, and over MaxPhotoPixels once
// decoded: the dimensions are read from the header before anything is decoded, so a small file
// claiming a huge picture (a decompression bomb) costs nothing. What is kept fits PhotoSide×PhotoSide.
const (
	MaxPhotoBytes  = 5 << 20
	MaxPhotoPixels = 40_000_000
	PhotoSide      = 800
	photoQuality   = 82
)

// Errors of an item's photo.
var (
	// ErrPhotoTooLarge means the upload is over MaxPhotoBytes or its picture over MaxPhotoPixels.
	ErrPhotoTooLarge = errors.New("store: photo too large")
	// ErrPhotoType means the upload is not a JPEG, PNG, GIF or WebP picture (by its bytes).
	ErrPhotoType = errors.New("store: photo is not a JPEG, PNG, GIF or WebP image")
	// ErrPhotoInvalid means the upload looks like a picture of a known type but cannot be read.
	ErrPhotoInvalid = errors.New("store: photo cannot be read")
	// ErrPhotoNotFound means the item has no photo.
	ErrPhotoNotFound = errors.New("store: item has no photo")
)

// Photo is an item's photo as stored: a JPEG at most PhotoSide on each side.
type Photo struct {
	ItemID      int64     `db:"item_id" json:"item_id"`
	Data        []byte    `db:"data" json:"-"`
	ContentType string    `db:"content_type" json:"content_type"`
	Width       int       `db:"width" json:"width"`
	Height      int       `db:"height" json:"height"`
	Size        int       `db:"byte_size" json:"size"`
	ETag        string    `db:"etag" json:"etag"` // hex sha256 of Data
	UploadedBy  string    `db:"uploaded_by" json:"uploaded_by"`
	UploadedAt  time.Time `db:"uploaded_at" json:"uploaded_at"`
}

// photoFormat reads the header and the picture of one image type.
type photoFormat struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// photoFormats are the accepted types, by the type their bytes sniff as. A GIF gives its first frame.
var photoFormats = map[string]photoFormat{
	"image/jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"image/png":  {png.DecodeConfig, png.Decode},
	"image/gif":  {gif.DecodeConfig, gif.Decode},
	"image/webp": {webp.DecodeConfig, webp.Decode},
}

// preparePhoto checks an upload and turns it into the JPEG that is kept: fitted into
// PhotoSide×PhotoSide (never enlarged), transparent parts on white, re-encoded at quality 82. The
// re-encoding keeps only pixels, so the upload's metadata (EXIF with a phone's GPS position, camera,
// time) is dropped. EXIF orientation is not applied: a phone photo taken sideways stays sideways,
// which the manager sees at once and can fix by uploading a rotated one.
func preparePhoto(data []byte) (Photo, error) {
	if len(data) > MaxPhotoBytes {
		return Photo{}, ErrPhotoTooLarge
	}
	// The type comes from the bytes, never from a file name or a Content-Type header.
	f, ok := photoFormats[http.DetectContentType(data)]
	if !ok {
		return Photo{}, ErrPhotoType
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return Photo{}, ErrPhotoInvalid
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return Photo{}, ErrPhotoInvalid
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPhotoPixels {
		return Photo{}, ErrPhotoTooLarge
	}
	src, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return Photo{}, ErrPhotoInvalid
	}
	w, h := fitPhoto(src.Bounds().Dx(), src.Bounds().Dy())
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: photoQuality}); err != nil {
		return Photo{}, err
	}
	sum := sha256.Sum256(out.Bytes())
	return Photo{Data: out.Bytes(), ContentType: "image/jpeg", Width: w, Height: h, Size: out.Len(),
		ETag: hex.EncodeToString(sum[:])}, nil
}

// fitPhoto returns the size of a w×h picture fitted into PhotoSide×PhotoSide with its aspect kept;
// a smaller picture keeps its size.
func fitPhoto(w, h int) (int, int) {
	if w <= PhotoSide && h <= PhotoSide {
		return w, h
	}
	if w >= h {
		return PhotoSide, max(1, (h*PhotoSide+w/2)/w)
	}
	return max(1, (w*PhotoSide+h/2)/h), PhotoSide
}

// SetItemPhoto checks the upload, resizes and re-encodes it, and keeps it as the item's photo in
// place of any earlier one, with an audit entry. It returns the photo kept (its Data included).
// Errors: ErrPhotoTooLarge, ErrPhotoType, ErrPhotoInvalid, ErrItemNotFound.
func (s *Service) SetItemPhoto(ctx context.Context, actor *principal.Principal, storeID, itemID int64, data []byte) (Photo, error) {
	p, err := preparePhoto(data)
	if err != nil {
		return Photo{}, err
	}
	p.ItemID, p.UploadedBy = itemID, actor.Label()
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.item(ctx, tx, storeID, itemID); err != nil {
			return err
		}
		var before *Photo
		if old, err := photoMeta(ctx, tx, storeID, itemID); err == nil {
			before = &old
		} else if !errors.Is(err, ErrPhotoNotFound) {
			return err
		}
		err := tx.GetContext(ctx, &p.UploadedAt, `
INSERT INTO store_item_photos (item_id, store_id, data, content_type, width, height, byte_size, etag, uploaded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (item_id) DO UPDATE SET data = EXCLUDED.data, content_type = EXCLUDED.content_type,
    width = EXCLUDED.width, height = EXCLUDED.height, byte_size = EXCLUDED.byte_size, etag = EXCLUDED.etag,
    uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now()
RETURNING uploaded_at`,
			itemID, storeID, p.Data, p.ContentType, p.Width, p.Height, p.Size, p.ETag, p.UploadedBy)
		if err != nil {
			return dbError(err)
		}
		after := p
		after.Data = nil
		return audit.Record(ctx, tx, audit.Entry{Actor: actor.Label(), Action: "store.item_photo_set",
			Target: ref("item", itemID), StoreID: storeID, Before: before, After: after})
	})
	if err != nil {
		return Photo{}, err
	}
	return p, nil
}

// ItemPhoto returns the item's photo with its bytes, unless the caller holds them already: when the
// photo's ETag is one of held (the ETags a client revalidates its copies with), Data is nil and the
// bytes are not even read, so that answering "not modified" costs one small row.
// Errors: ErrPhotoNotFound (also when the store has no such item).
func (s *Service) ItemPhoto(ctx context.Context, storeID, itemID int64, held ...string) (Photo, error) {
	var p Photo
	err := s.db.GetContext(ctx, &p, `
SELECT item_id, content_type, width, height, byte_size, etag, uploaded_by, uploaded_at,
    CASE WHEN etag = ANY($3::text[]) THEN NULL ELSE data END AS data
FROM store_item_photos WHERE store_id = $1 AND item_id = $2`, storeID, itemID, pq.Array(held))
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrPhotoNotFound
	}
	return p, err
}

// photoMeta returns what is known about the item's photo, without its bytes.
func photoMeta(ctx context.Context, q sqlx.QueryerContext, storeID, itemID int64) (Photo, error) {
	var p Photo
	err := sqlx.GetContext(ctx, q, &p, `
SELECT item_id, content_type, width, height, byte_size, etag, uploaded_by, uploaded_at
FROM store_item_photos WHERE store_id = $1 AND item_id = $2`, storeID, itemID)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrPhotoNotFound
	}
	return p, err
}

// DeleteItemPhoto removes the item's photo, with an audit entry.
// Errors: ErrItemNotFound, ErrPhotoNotFound.
func (s *Service) DeleteItemPhoto(ctx context.Context, actor *principal.Principal, storeID, itemID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.item(ctx, tx, storeID, itemID); err != nil {
			return err
		}
		before, err := photoMeta(ctx, tx, storeID, itemID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM store_item_photos WHERE store_id = $1 AND item_id = $2`,
			storeID, itemID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor.Label(), Action: "store.item_photo_delete",
			Target: ref("item", itemID), StoreID: storeID, Before: before})
	})
}
