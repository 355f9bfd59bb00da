package pages

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
)

// batchConfirm is the question asked before a batch with flagged rows is approved.
type batchConfirm struct {
	IDs     []int64
	Count   int
	Flagged []string // the volunteers' names of the flagged rows
}

// confirmBatch returns the question to ask (activity.QueueItem.Flagged says which rows need a look) when an approval of several attendances of the
// activity holds flagged ones and was not confirmed; nil when there is nothing to ask.
func (s *server) confirmBatch(c *fiber.Ctx, activityID int64, req activity.VerifyRequest) (*batchConfirm, error) {
	if req.Action != activity.ActionApprove || len(req.IDs) < 2 || c.FormValue("confirm") == "1" {
		return nil, nil
	}
	q, err := s.Activities.Attendances(c.UserContext(), activityID, 0, 0)
	if err != nil {
		return nil, err
	}
	ask := &batchConfirm{IDs: req.IDs, Count: len(req.IDs)}
	for _, it := range q.Items {
		if slices.Contains(req.IDs, it.ID) && it.Flagged() {
			ask.Flagged = append(ask.Flagged, it.VolunteerName)
		}
	}
	if len(ask.Flagged) == 0 {
		return nil, nil
	}
	return ask, nil
}

// askBatch shows the queue with the question above it; nothing is decided.
func (s *server) askBatch(c *fiber.Ctx, ask *batchConfirm) error {
	c.Locals(localBatchConfirm, ask)
	return s.queueForm(c, fiber.StatusConflict, s.actView(c, "page.act.queue.title"))
}

// localBatchConfirm carries the question from askBatch to queueForm.
const localBatchConfirm = "pages.batchConfirm"
