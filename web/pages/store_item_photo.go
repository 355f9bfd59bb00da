package pages

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/request"
)

// ItemPhotoURL is where an item's photo is served, with its version so that a new photo is a new
// URL that caches may keep.
func ItemPhotoURL(it store.Item) string {
	return "/api/v1/stores/" + strconv.FormatInt(it.StoreID, 10) + "/items/" + strconv.FormatInt(it.ID, 10) + "/photo?v=" + it.PhotoVersion
}

// photoProblems are the refusals of an upload the item form shows beside its photo field.
var photoProblems = map[string]string{"photo-too-large": "photo", "photo-type": "photo", "photo-invalid": "photo"}

// itemPhotoSubmit keeps the photo chosen on the item's page (a multipart form, field "photo") and
// goes back to the page; a refused file is shown beside the field.
func (s *server) itemPhotoSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	id, err := request.IDParam(c, "item")
	if err != nil {
		return err
	}
	data, err := request.Photo(c)
	if err == nil && len(data) == 0 {
		err = store.ErrPhotoType // an empty form: no file chosen
	}
	if err == nil {
		_, err = s.Store.SetItemPhoto(c.UserContext(), guard.Principal(c).Actor(), storeID, id, data)
	}
	if err != nil {
		return s.itemPhotoFailed(c, err)
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/items/"+strconv.FormatInt(id, 10)+"#item-photo")
}

// itemPhotoDeleteSubmit removes the item's photo.
func (s *server) itemPhotoDeleteSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	id, err := request.IDParam(c, "item")
	if err != nil {
		return err
	}
	if err := s.Store.DeleteItemPhoto(c.UserContext(), guard.Principal(c).Actor(), storeID, id); err != nil {
		return s.itemPhotoFailed(c, err)
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/items/"+strconv.FormatInt(id, 10)+"#item-photo")
}

// itemPhotoFailed shows the item's page again with why the photo was refused.
func (s *server) itemPhotoFailed(c *fiber.Ctx, err error) error {
	id, f, ferr := s.itemEditForm(c)
	if ferr != nil {
		return ferr
	}
	f.order = append(slices.Clip(f.order), "photo")
	status, err := s.failForm(c, &f, err, photoProblems)
	if err != nil {
		return err
	}
	return s.renderItemForm(c, status, id, f)
}
