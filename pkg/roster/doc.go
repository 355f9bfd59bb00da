// Package roster reads the volunteer lists that coordinators export from other volunteer systems
// (志愿汇, 浙江志愿服务网, a spreadsheet of their own …) and checks every row before anything is
// imported. It reads CSV in the encodings Chinese Windows and Excel produce (UTF-8 with or without a
// byte-order mark, GBK/GB18030, UTF-16 with a byte-order mark; comma or tab separated) and the first
// sheet of an XLSX workbook.
//
// Parse returns the good rows, normalised, and every bad cell with its line, its column as the file
// names it, a stable reason key and a message in Chinese and English, so a coordinator can fix the
// file and upload it again. It does not touch the database: the import that registers the
// volunteers calls it first.
//
// Resident ID numbers and phone numbers are sensitive personal information (PIPL). They travel only
// in the returned Volunteer values, whose printed and logged forms mask them; no error or message
// ever holds a cell's value.
package roster
