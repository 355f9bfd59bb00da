package identity

import "testing"

func TestMaskName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"张三丰", "张**"},
		{"李四", "李*"},
		{"欧阳娜娜", "欧***"},
		{"王", "王"},
		{"", ""},
		{"Ann Lee", "A******"},
	} {
		if got := MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
