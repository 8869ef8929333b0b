//! Writing rows: CSV (formula-neutralised), a JSON array, NDJSON, or an xlsx workbook with
//! typed cells, a header row and a totals row.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Formula, Workbook, Worksheet};
use serde_json::{Map, Value};

use crate::cell::Cell;
use crate::columns::{Column, Kind};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Comma-separated values with a header row; text that a spreadsheet would run as a
    /// formula is prefixed with `'`.
    #[default]
    Csv,
    /// One JSON array of row objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// An Excel workbook: money as numbers, dates as dates, a header row and a totals row.
    Xlsx,
}

impl Format {
    /// The format's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Xlsx => "xlsx",
        }
    }

    /// Whether a half-written file can be cut back and appended to (every format but xlsx,
    /// which is one zip written at the end).
    pub fn appendable(self) -> bool {
        !matches!(self, Format::Xlsx)
    }
}

/// Why writing the output failed.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The file or standard output failed.
    #[error("writing {target} failed: {source}")]
    Io {
        /// The file (or `standard output`).
        target: String,
        /// The OS error.
        source: io::Error,
    },
    /// Encoding a CSV row failed.
    #[error("writing a CSV row failed: {0}")]
    Csv(#[from] csv::Error),
    /// Encoding a JSON row failed.
    #[error("writing a JSON row failed: {0}")]
    Json(#[from] serde_json::Error),
    /// Building the workbook failed.
    #[error("building the xlsx workbook failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// This one row cannot be written in the format; nothing of it was written, and the
    /// output can go on with the next row.
    #[error("{0}")]
    Row(String),
}

/// The most characters an xlsx cell holds (Excel's limit).
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// Where rows go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// A file.
    File(PathBuf),
}

impl Target {
    fn describe(&self) -> String {
        match self {
            Target::Stdout => "standard output".to_owned(),
            Target::File(path) => path.display().to_string(),
        }
    }
}

/// Counts the bytes that reached the inner writer, so a checkpoint can record where the last
/// complete row ends.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type Out = Counting<BufWriter<Box<dyn Write + Send>>>;

enum Body {
    Csv(Box<csv::Writer<Out>>),
    Json(Out),
    Ndjson(Out),
    Xlsx(Box<XlsxBook>),
}

/// Rows written so far in one of the [`Format`]s.
pub struct Sink {
    body: Body,
    columns: Vec<Column>,
    target: Target,
    rows: u64,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("target", &self.target)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl Sink {
    /// Starts a new output: creates (or truncates) the file and writes the header.
    pub fn create(format: Format, columns: Vec<Column>, target: Target) -> Result<Sink, SinkError> {
        let out = open(&target, None)?;
        let mut sink = Sink::with(format, columns, target, out, 0);
        if let Body::Csv(writer) = &mut sink.body {
            writer.write_record(sink.columns.iter().map(|c| c.name.as_str()))?;
        }
        Ok(sink)
    }

    /// Continues an output a killed run left: cuts the file back to `bytes` (the end of the
    /// last row a checkpoint recorded) and appends after its `rows` rows.
    pub fn resume(
        format: Format,
        columns: Vec<Column>,
        path: &Path,
        bytes: u64,
        rows: u64,
    ) -> Result<Sink, SinkError> {
        let target = Target::File(path.to_owned());
        let out = open(&target, Some(bytes))?;
        Ok(Sink::with(format, columns, target, out, rows))
    }

    fn with(format: Format, columns: Vec<Column>, target: Target, out: Out, rows: u64) -> Sink {
        let body = match format {
            Format::Csv => Body::Csv(Box::new(
                csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(out),
            )),
            Format::Json => Body::Json(out),
            Format::Ndjson => Body::Ndjson(out),
            Format::Xlsx => Body::Xlsx(Box::new(XlsxBook::new(&columns, out))),
        };
        Sink {
            body,
            columns,
            target,
            rows,
        }
    }

    /// The columns, in output order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Rows written so far (including those of the run being resumed).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes one row of Fyle JSON.
    ///
    /// A row the format cannot hold (an xlsx cell over [`XLSX_MAX_CELL_CHARS`]) is refused
    /// with [`SinkError::Row`] before anything of it is written.
    pub fn write(&mut self, row: &Value) -> Result<(), SinkError> {
        let cells: Vec<Cell> = self.columns.iter().map(|c| c.cell(row)).collect();
        if matches!(self.body, Body::Xlsx(_)) {
            self.check_xlsx(&cells)?;
        }
        match &mut self.body {
            Body::Csv(writer) => writer.write_record(cells.iter().map(csv_text))?,
            Body::Json(out) => {
                let sep: &[u8] = if self.rows == 0 { b"[\n" } else { b",\n" };
                out.write_all(sep).map_err(|e| io_error(&self.target, e))?;
                serde_json::to_writer(&mut *out, &object(&self.columns, &cells))?;
            }
            Body::Ndjson(out) => {
                serde_json::to_writer(&mut *out, &object(&self.columns, &cells))?;
                out.write_all(b"\n")
                    .map_err(|e| io_error(&self.target, e))?;
            }
            Body::Xlsx(book) => book.write(self.rows, &cells)?,
        }
        self.rows += 1;
        Ok(())
    }

    fn check_xlsx(&self, cells: &[Cell]) -> Result<(), SinkError> {
        for (column, cell) in self.columns.iter().zip(cells) {
            if let Cell::Text(text) = cell {
                let chars = text.chars().count();
                if chars > XLSX_MAX_CELL_CHARS {
                    return Err(SinkError::Row(format!(
                        "{} holds {chars} characters; an xlsx cell holds at most {XLSX_MAX_CELL_CHARS}",
                        column.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// Flushes what was written and returns the length of the output so far (0 for xlsx,
    /// which is written at the end).
    pub fn flush(&mut self) -> Result<u64, SinkError> {
        let target = self.target.clone();
        let out = match &mut self.body {
            Body::Csv(writer) => {
                writer.flush().map_err(|e| io_error(&target, e))?;
                writer.get_ref()
            }
            Body::Json(out) | Body::Ndjson(out) => {
                out.flush().map_err(|e| io_error(&target, e))?;
                &*out
            }
            Body::Xlsx(_) => return Ok(0),
        };
        Ok(out.bytes)
    }

    /// Ends the output: closes the JSON array, or adds the totals row and saves the workbook.
    pub fn finish(self) -> Result<(), SinkError> {
        let target = self.target;
        let mut out = match self.body {
            Body::Csv(writer) => writer
                .into_inner()
                .map_err(|e| io_error(&target, e.into_error()))?,
            Body::Json(mut out) => {
                let end: &[u8] = if self.rows == 0 { b"[]\n" } else { b"\n]\n" };
                out.write_all(end).map_err(|e| io_error(&target, e))?;
                out
            }
            Body::Ndjson(out) => out,
            Body::Xlsx(book) => book.finish(&self.columns, self.rows)?,
        };
        out.flush().map_err(|e| io_error(&target, e))
    }
}

fn io_error(target: &Target, source: io::Error) -> SinkError {
    SinkError::Io {
        target: target.describe(),
        source,
    }
}

/// Opens the target; `resume_at` cuts an existing file back to that length and appends.
fn open(target: &Target, resume_at: Option<u64>) -> Result<Out, SinkError> {
    let inner: Box<dyn Write + Send> = match target {
        Target::Stdout => Box::new(io::stdout()),
        Target::File(path) => {
            let file = match resume_at {
                None => File::create(path),
                Some(len) => OpenOptions::new().write(true).open(path).and_then(|mut f| {
                    f.set_len(len)?;
                    f.seek(SeekFrom::Start(len))?;
                    Ok(f)
                }),
            }
            .map_err(|e| io_error(target, e))?;
            Box::new(file)
        }
    };
    Ok(Counting {
        inner: BufWriter::new(inner),
        bytes: resume_at.unwrap_or(0),
    })
}

/// A CSV field: text that starts like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading
/// `'` so a spreadsheet shows it instead of running it. Money, dates and flags are not text.
fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => neutralise(text),
        other => other.display(),
    }
}

/// Prefixes `'` to text a spreadsheet would treat as a formula. A signed number or phone
/// number (`+1 415 555 0123`, `-12.50`) is left alone: with no letters or `|`/`!` it cannot
/// call anything, and the prefix would only spoil it.
pub fn neutralise(text: &str) -> String {
    let numeric = |rest: &str| {
        !rest.is_empty()
            && rest.chars().all(|c| {
                c.is_ascii_digit() || matches!(c, ' ' | '.' | ',' | '(' | ')' | '-' | '+' | '/')
            })
    };
    let risky = match text.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some(sign @ ('+' | '-')) => !numeric(&text[sign.len_utf8()..]),
        _ => false,
    };
    if risky {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn object(columns: &[Column], cells: &[Cell]) -> Value {
    let map: Map<String, Value> = columns
        .iter()
        .zip(cells)
        .map(|(c, cell)| (c.name.clone(), cell.to_json()))
        .collect();
    Value::Object(map)
}

/// The workbook under construction: one worksheet, written to `out` at the end.
struct XlsxBook {
    sheet: Worksheet,
    out: Out,
    money: XlsxFormat,
    date: XlsxFormat,
    totals: Vec<Decimal>,
}

impl XlsxBook {
    fn new(columns: &[Column], out: Out) -> XlsxBook {
        let mut sheet = Worksheet::new();
        let bold = XlsxFormat::new().set_bold();
        for (i, column) in columns.iter().enumerate() {
            // Column indexes fit: an export has far fewer than 16,384 columns.
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            let _ = sheet.write_string_with_format(0, col, &column.name, &bold);
        }
        XlsxBook {
            sheet,
            out,
            money: XlsxFormat::new().set_num_format("#,##0.00"),
            date: XlsxFormat::new().set_num_format("yyyy-mm-dd"),
            totals: vec![Decimal::ZERO; columns.len()],
        }
    }

    fn write(&mut self, index: u64, cells: &[Cell]) -> Result<(), SinkError> {
        let row = u32::try_from(index + 1)
            .map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
        for (i, cell) in cells.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    self.sheet.write_string(row, col, text)?;
                }
                Cell::Money(amount) => {
                    self.totals[i] += *amount;
                    let number = amount.to_f64().unwrap_or_default();
                    self.sheet
                        .write_number_with_format(row, col, number, &self.money)?;
                }
                Cell::Date(date) => {
                    let day = ExcelDateTime::from_ymd(
                        u16::try_from(date.year()).unwrap_or_default(),
                        u8::from(date.month()),
                        date.day(),
                    )?;
                    self.sheet
                        .write_date_with_format(row, col, &day, &self.date)?;
                }
                Cell::Bool(flag) => {
                    self.sheet.write_boolean(row, col, *flag)?;
                }
            }
        }
        Ok(())
    }

    /// Adds the totals row (a `SUM` formula per money column, with its value cached) and
    /// writes the workbook.
    fn finish(mut self, columns: &[Column], rows: u64) -> Result<Out, SinkError> {
        let last =
            u32::try_from(rows + 1).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
        let bold = XlsxFormat::new().set_bold();
        self.sheet
            .write_string_with_format(last, 0, "Total", &bold)?;
        for (i, column) in columns.iter().enumerate() {
            if column.kind != Kind::Money {
                continue;
            }
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            let letter = column_letter(i);
            let total = self.totals[i];
            let formula = if rows == 0 {
                Formula::new("=0").set_result("0")
            } else {
                Formula::new(format!("=SUM({letter}2:{letter}{last})"))
                    .set_result(total.normalize().to_string())
            };
            self.sheet.write_formula_with_format(
                last,
                col,
                formula,
                &self.money.clone().set_bold(),
            )?;
        }
        self.sheet.set_freeze_panes(1, 0)?;
        let mut book = Workbook::new();
        book.push_worksheet(self.sheet);
        let bytes = book.save_to_buffer()?;
        let mut out = self.out;
        out.write_all(&bytes).map_err(|e| SinkError::Io {
            target: "the xlsx output".to_owned(),
            source: e,
        })?;
        Ok(out)
    }
}

/// `A`, `B`, ..., `Z`, `AA`, ... for a zero-based column index.
fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + u8::try_from(index % 26).unwrap_or_default());
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_prefixes_are_neutralised() {
        for bad in [
            "=1+1",
            "+A1",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-",
        ] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        for fine in ["Travel", "+1 415 555 0123", "-12.50"] {
            assert_eq!(neutralise(fine), fine);
        }
    }

    #[test]
    fn column_letters_roll_over() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
