//! CSV as staff open it in a spreadsheet: RFC 4180 through the `csv` crate, rows numbered as a
//! spreadsheet numbers them, and cells that would run as formulas written as text.

use std::borrow::Cow;
use std::io::Write;

/// Characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, that hide a formula behind them).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as a spreadsheet may open it safely: one that begins with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading `'`, so it is shown as text instead of run. A cell that
/// already begins with `'` gets another, so that [`read_csv`] gives back exactly what was
/// written.
pub fn defuse_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) || cell.starts_with('\'') {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell [`defuse_formula`] was given: a `'` before a formula character or another `'` is
/// dropped. A spreadsheet reads `'=x` typed in a cell as `=x` too.
fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}

/// Writes one CSV record to `out`: cells defused ([`defuse_formula`]), quoted where they hold a
/// comma, quote or line break, and ended by CRLF as RFC 4180 and spreadsheets have it.
///
/// ```
/// let mut out = Vec::new();
/// cfi_core::write_csv_row(&mut out, ["Alliance, Inc.", "=1+1", "plain"])?;
/// assert_eq!(out, b"\"Alliance, Inc.\",'=1+1,plain\r\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_csv_row<I>(out: &mut impl Write, cells: I) -> std::io::Result<()>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    // A writer per record, so that callers stream rows to a writer of their own; the buffer
    // is small because it lives for one record.
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(1024)
        .from_writer(out);
    for cell in cells {
        writer.write_field(defuse_formula(cell.as_ref()).as_bytes())?;
    }
    writer.write_record(std::iter::empty::<&[u8]>())?;
    writer.flush()
}

/// The records of a CSV text, its cells as [`write_csv_row`] was given them. A blank line is an
/// empty row, as a spreadsheet shows it, so row numbers match what staff see.
pub(crate) fn read_csv(text: &str) -> Result<Vec<Vec<String>>, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut start = 0;
    while reader.read_record(&mut record)? {
        // The `csv` crate skips blank lines: they are the line breaks that open what it read.
        let mut read = text.get(start..).unwrap_or_default();
        // A record ended by CRLF may have stopped the reader between the two bytes.
        if start > 0 && text.as_bytes().get(start - 1) == Some(&b'\r') {
            read = read.strip_prefix('\n').unwrap_or(read);
        }
        let blank = read
            .chars()
            .take_while(|c| matches!(c, '\r' | '\n'))
            .filter(|&c| c == '\n')
            .count();
        rows.extend(std::iter::repeat_with(Vec::new).take(blank));
        rows.push(
            record
                .iter()
                .map(|cell| restore_formula(cell).to_string())
                .collect(),
        );
        start = usize::try_from(reader.position().byte()).unwrap_or(text.len());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> String {
        let mut out = Vec::new();
        write_csv_row(&mut out, cells).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn cells_are_quoted_where_needed_and_defused() {
        assert_eq!(row(&["plain", "a, \"b\""]), "plain,\"a, \"\"b\"\"\"\r\n");
        assert_eq!(
            row(&[
                "=HYPERLINK(1)",
                "+1",
                "-1",
                "@SUM(A1)",
                "\tx",
                "'quoted",
                ""
            ]),
            "'=HYPERLINK(1),'+1,'-1,'@SUM(A1),'\tx,''quoted,\r\n"
        );
        assert_eq!(row(&["\r=1"]), "\"'\r=1\"\r\n");
        assert_eq!(row(&["two\nlines", "é"]), "\"two\nlines\",é\r\n");
    }

    #[test]
    fn what_is_written_reads_back() {
        let cells = [
            "=1",
            "'=1",
            "''",
            "'",
            "a,b",
            "say \"hi\"",
            "x\r\ny",
            "Вклад",
            "",
        ];
        let text = row(&cells) + &row(&["second"]);
        let rows = read_csv(&text).expect("read");
        assert_eq!(rows, [cells.to_vec(), vec!["second"]]);
    }

    #[test]
    fn blank_lines_are_rows_and_quoted_line_breaks_are_not() {
        for newline in ["\n", "\r\n"] {
            let text = ["a,b", "", "\"c", "d\",e", "", "", "f", ""].join(newline);
            let rows = read_csv(&text).expect("read");
            let lengths: Vec<usize> = rows.iter().map(Vec::len).collect();
            assert_eq!(lengths, [2, 0, 2, 0, 0, 1], "{newline:?}: {rows:?}");
            assert_eq!(rows[2][0], format!("c{newline}d"));
        }
        let rows = read_csv("\nfile\nx").expect("read");
        assert_eq!(rows, [vec![], vec!["file"], vec!["x"]]);
    }

    #[test]
    fn a_hand_written_apostrophe_stays_unless_it_hides_a_formula() {
        let rows = read_csv("'t Hooft,'=x,'-1\n").expect("read");
        assert_eq!(rows, [["'t Hooft", "=x", "-1"]]);
    }
}
