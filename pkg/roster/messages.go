package roster

import (
	"fmt"
	"strings"
)

// text is a message in both languages. %d, where present, is the other line of a duplicate or the
// line a file error names; %s is a column.
type text struct{ zh, en string }

// rowReasons holds every reason key a RowError can carry. The keys are stable: the web layer and
// the import may map them to their own wording.
var rowReasons = map[string]text{
	"name_missing":  {"姓名为空", "the name is empty"},
	"name_too_long": {"姓名超过 50 个字", "the name is longer than 50 characters"},
	"name_invalid":  {"姓名含有换行或其他控制字符", "the name contains line breaks or other control characters"},
	"name_number": {"姓名中有一长串数字，可能误填了手机号或证件号",
		"the name holds a long number; a phone or ID number may be in the wrong column"},

	"phone_missing": {"手机号为空", "the phone number is empty"},
	"phone_invalid": {"不是有效的大陆手机号码", "not a valid mainland China mobile number"},
	"phone_as_number": {"号码显示为科学计数法（如 1.38E+10），位数已丢失；请把该列设为文本格式后重新导出",
		"the number is in scientific notation (like 1.38E+10) and has lost digits; format the column as text and export again"},
	"phone_duplicate": {"与第 %d 行的手机号码重复", "the same phone number as line %d"},

	"resident_id_format": {"身份证号码应为 17 位数字加 1 位数字或 X",
		"a resident ID number is 17 digits followed by a digit or X"},
	"resident_id_region":   {"身份证号码的地区码不存在", "the resident ID number has an unknown region code"},
	"resident_id_birth":    {"身份证号码中的出生日期不正确", "the birth date in the resident ID number is impossible"},
	"resident_id_checksum": {"身份证号码校验位不对，可能有录入错误", "the resident ID number's check digit is wrong; it is probably mistyped"},
	"resident_id_as_number": {"该列被设置成了数字格式，身份证号码显示为科学计数法（如 3.30102E+17），后几位已丢失；请把该列设为文本格式后重新导出",
		"the column was formatted as a number: the ID shows in scientific notation (like 3.30102E+17) and its last digits are lost; format the column as text and export again"},
	"resident_id_duplicate": {"与第 %d 行的身份证号码重复", "the same resident ID number as line %d"},
	// Found by the import, not by Parse: see Result.Reject.
	"resident_id_taken": {"该身份证号码已属于另一位已注册的志愿者，请核对手机号",
		"this resident ID number belongs to another registered volunteer; check the phone number"},

	"gender_invalid":  {"性别应填“男”或“女”", "gender must be 男 or 女 (male or female)"},
	"gender_mismatch": {"性别与身份证号码不一致", "the gender does not match the resident ID number"},

	"birth_date_invalid":  {"不是有效的出生日期（如 1990-01-31）", "not a valid birth date (like 1990-01-31)"},
	"birth_date_mismatch": {"出生日期与身份证号码不一致", "the birth date does not match the resident ID number"},

	"volunteer_no_invalid": {"志愿者编号只能由字母、数字、- 和 _ 组成，最长 32 位",
		"a volunteer number is at most 32 letters, digits, - or _"},
	"volunteer_no_as_number": {"编号显示为科学计数法，位数已丢失；请把该列设为文本格式后重新导出",
		"the number is in scientific notation and has lost digits; format the column as text and export again"},
	"volunteer_no_duplicate": {"与第 %d 行的志愿者编号重复", "the same volunteer number as line %d"},

	"skills_too_long": {"技能最多 20 项，每项不超过 50 个字", "at most 20 skills of at most 50 characters each"},
	"skills_invalid":  {"技能中含有控制字符", "the skills contain control characters"},
	"service_categories_too_long": {"服务类别最多 20 项，每项不超过 50 个字",
		"at most 20 service categories of at most 50 characters each"},
	"service_categories_invalid": {"服务类别中含有控制字符", "the service categories contain control characters"},

	"cell_without_header": {"这一列没有表头，内容无法导入（可能某个单元格里多了一个逗号）",
		"this column has no header, so its content cannot be imported (a cell may hold a stray comma)"},
}

// fileReasons holds every reason key a FileError can carry.
var fileReasons = map[string]text{
	"file_too_large": {"文件超过 10 MiB，请拆分后分批导入", "the file is larger than 10 MiB; split it and import the parts"},
	"text_too_large": {"单元格中的文字总量过大：请检查是否有超长的单元格，或拆分后分批导入",
		"the cells hold too much text: look for very long cells, or split the file and import the parts"},
	"too_many_rows": {"超过 20000 行，请拆分后分批导入", "more than 20000 rows; split the file and import the parts"},
	"too_many_columns": {"第 %d 行超出了第 256 列，请删除右侧多余的列后重新导出",
		"line %d reaches past column 256; delete the extra columns on the right and export again"},
	"xls_unsupported": {"不支持旧版 .xls 或加密的工作簿，请在 Excel 或 WPS 中另存为 .xlsx（不设密码）或 CSV",
		"old .xls files and encrypted workbooks are not supported; save as .xlsx (without a password) or CSV"},
	"file_corrupt":     {"文件已损坏，或不是 xlsx 工作簿", "the file is damaged or is not an xlsx workbook"},
	"csv_malformed":    {"第 %d 行起 CSV 格式有误（引号不成对）", "the CSV is malformed from line %d on (unpaired quotes)"},
	"encoding_unknown": {"无法识别文件的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV", "unknown text encoding; save the CSV as UTF-8 or GBK"},
	"no_header": {"找不到表头：第一行应为“姓名”“手机号”等列名",
		"no header found: the first row must name the columns (姓名/name, 手机号/phone …)"},
	"no_data":          {"表头下面没有志愿者数据", "there is no volunteer below the header"},
	"column_missing":   {"缺少必填列「%s」", "the required column %q is missing"},
	"column_unknown":   {"无法识别的列「%s」", "unknown column %q"},
	"column_duplicate": {"「%s」与「%s」是同一列，请只保留一列", "%q and %q are the same column; keep only one"},
}

// knownColumns lists the headers a coordinator can use, for the unknown-column message.
const knownColumnsZH = "可用的列：姓名、手机号、身份证号、性别、志愿者编号、出生日期、技能、服务类别"
const knownColumnsEN = "known columns: name, phone, id_number, gender, volunteer_no, birth_date, skills, service_category"

func english(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "en") }

func pick(t text, en bool) string {
	if en {
		return t.en
	}
	return t.zh
}

func rowText(e RowError, en bool) string {
	reason := pick(rowReasons[e.Reason], en)
	if strings.Contains(reason, "%d") {
		reason = fmt.Sprintf(reason, e.OtherLine)
	}
	switch {
	case en && e.Column != "":
		return fmt.Sprintf("line %d, column %q: %s", e.Line, e.Column, reason)
	case en:
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.ColumnNo, reason)
	case e.Column != "":
		return fmt.Sprintf("第 %d 行「%s」：%s", e.Line, e.Column, reason)
	default:
		return fmt.Sprintf("第 %d 行第 %d 列：%s", e.Line, e.ColumnNo, reason)
	}
}

func fileText(e *FileError, en bool) string {
	t := pick(fileReasons[e.Reason], en)
	switch e.Reason {
	case "csv_malformed", "too_many_columns":
		return fmt.Sprintf(t, e.Line)
	case "column_missing":
		if en {
			return fmt.Sprintf(t, fieldByChinese(e.Column))
		}
		return fmt.Sprintf(t, e.Column)
	case "column_unknown":
		var s string
		switch {
		case e.Column == "" && en:
			s = fmt.Sprintf("the header of column %d is unknown", e.ColumnNo)
		case e.Column == "":
			s = fmt.Sprintf("第 %d 列的表头无法识别", e.ColumnNo)
		default:
			s = fmt.Sprintf(t, e.Column)
		}
		if en {
			return s + " (" + knownColumnsEN + ")"
		}
		return s + "（" + knownColumnsZH + "）"
	case "column_duplicate":
		return fmt.Sprintf(t, e.Other, e.Column)
	}
	return t
}
