package certificate

import (
	"strconv"
	"strings"

	"timebank/fields"
	"timebank/pkg/activity"
)

// checkPeriod reads from and to (YYYY-MM-DD, both or neither) into a period.
func checkPeriod(from, to string, bad fields.Set) period {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" && to == "" {
		return period{}
	}
	f, errF := activity.ParseDate(from)
	t, errT := activity.ParseDate(to)
	switch {
	case errF != nil:
		bad["from"] = "date"
	case errT != nil:
		bad["to"] = "date"
	case t.Start().Before(f.Start()):
		bad["to"] = "before_from"
	}
	return period{from: f.String(), to: t.String()}
}

// checkPurpose reports a purpose that is not one of the four.
func checkPurpose(purpose string, bad fields.Set) {
	switch purpose {
	case PurposeSchool, PurposeEmployer, PurposeAward, PurposeOther:
	default:
		bad["purpose"] = "unknown"
	}
}

// PurposeName returns the purpose in Chinese, as printed: 升学, 就业, 评优, 其他.
func PurposeName(purpose string) string {
	switch purpose {
	case PurposeSchool:
		return "升学"
	case PurposeEmployer:
		return "就业"
	case PurposeAward:
		return "评优"
	}
	return "其他"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
