// Package export writes tables of rows as files people open in a spreadsheet: CSV in UTF-8 with a
// byte order mark (so that Excel on Chinese Windows reads it), or an Excel workbook written by
// excelize's stream writer (a frozen header row of Chinese column names, dates as date cells,
// hours and counts as numbers). Every export of the service goes through the one Writer, row by
// row as the rows come from the database, so that a file of a million rows is never held whole.
package export
