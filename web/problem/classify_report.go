package problem

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/report"
)

// ClassifyReport maps the errors of reports to statuses and problem slugs; status 0 means the error
// is none of theirs. A place that is not found is the register's error (org.ErrRegionNotFound …).
func ClassifyReport(err error) (int, string) {
	switch {
	case errors.Is(err, report.ErrInvalid):
		return fiber.StatusBadRequest, "invalid-request"
	}
	return 0, ""
}
