package activity

import (
	"math"
	"testing"
)

var (
	nationalStars = []int64{100, 300, 600, 1000, 1500} // 中国社区志愿者 rules, the default
	beijingStars  = []int64{100, 200, 500, 800, 1000}
)

func TestStarLevel(t *testing.T) {
	const h = 60 // minutes in an hour
	tests := []struct {
		name       string
		thresholds []int64
		minutes    int64
		want       int
	}{
		{"nothing yet", nationalStars, 0, 0},
		{"negative total", nationalStars, -6000, 0},
		{"a minute short of one star", nationalStars, 100*h - 1, 0},
		{"one star exactly", nationalStars, 100 * h, 1},
		{"a minute short of two", nationalStars, 300*h - 1, 1},
		{"two stars exactly", nationalStars, 300 * h, 2},
		{"a minute short of three", nationalStars, 600*h - 1, 2},
		{"three stars exactly", nationalStars, 600 * h, 3},
		{"a minute short of four", nationalStars, 1000*h - 1, 3},
		{"four stars exactly", nationalStars, 1000 * h, 4},
		{"a minute short of five", nationalStars, 1500*h - 1, 4},
		{"five stars exactly", nationalStars, 1500 * h, 5},
		{"far beyond five", nationalStars, math.MaxInt64, 5},
		{"Beijing: a minute short of one", beijingStars, 100*h - 1, 0},
		{"Beijing: one star", beijingStars, 100 * h, 1},
		{"Beijing: two stars at 200 h", beijingStars, 200 * h, 2},
		{"Beijing: 300 h is still two", beijingStars, 300 * h, 2},
		{"Beijing: three stars at 500 h", beijingStars, 500 * h, 3},
		{"Beijing: a minute short of four", beijingStars, 800*h - 1, 3},
		{"Beijing: four stars at 800 h", beijingStars, 800 * h, 4},
		{"Beijing: a minute short of five", beijingStars, 1000*h - 1, 4},
		{"Beijing: five stars at 1000 h", beijingStars, 1000 * h, 5},
		{"no thresholds", nil, 100000 * h, 0},
		{"thresholds out of order stop at the first unmet", []int64{300, 100}, 200 * h, 0},
	}
	for _, tt := range tests {
		if got := StarLevel(tt.minutes, tt.thresholds); got != tt.want {
			t.Errorf("%s: StarLevel(%d) = %d, want %d", tt.name, tt.minutes, got, tt.want)
		}
	}
}

func TestStarProgressOf(t *testing.T) {
	tests := []struct {
		name       string
		thresholds []int64
		minutes    int64
		want       StarProgress
	}{
		{"new volunteer", nationalStars, 0, StarProgress{Level: 0, NextLevel: 1, NextHours: 100, MinutesNeeded: 6000}},
		{"negative total needs the whole threshold", nationalStars, -30, StarProgress{Level: 0, NextLevel: 1, NextHours: 100, MinutesNeeded: 6000}},
		{"one minute to go", nationalStars, 5999, StarProgress{Level: 0, NextLevel: 1, NextHours: 100, MinutesNeeded: 1}},
		{"just reached one star", nationalStars, 6000, StarProgress{Level: 1, NextLevel: 2, NextHours: 300, MinutesNeeded: 12000}},
		{"between four and five", nationalStars, 1200*60 + 15, StarProgress{Level: 4, NextLevel: 5, NextHours: 1500, MinutesNeeded: 300*60 - 15}},
		{"at the top", nationalStars, 1500 * 60, StarProgress{Level: 5}},
		{"Beijing, 250 h", beijingStars, 250 * 60, StarProgress{Level: 2, NextLevel: 3, NextHours: 500, MinutesNeeded: 250 * 60}},
		{"Beijing, at the top", beijingStars, 1000 * 60, StarProgress{Level: 5}},
		{"no thresholds", nil, 6000, StarProgress{}},
		{"absurd threshold does not overflow", []int64{math.MaxInt64}, 0, StarProgress{NextLevel: 1, NextHours: math.MaxInt64, MinutesNeeded: math.MaxInt64}},
	}
	for _, tt := range tests {
		if got := StarProgressOf(tt.minutes, tt.thresholds); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestStarsFollowPolicy: the default policy's thresholds are the national ones.
func TestStarsFollowPolicy(t *testing.T) {
	if got := StarLevel(600*60, DefaultPolicy().StarThresholdsHours); got != 3 {
		t.Errorf("600 h under the default policy = %d stars, want 3", got)
	}
}
