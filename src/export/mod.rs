//! Files Chiptrail writes. Every file goes through [`write_atomic`] (a temporary file beside the
//! target, then a rename), and every CSV cell through [`spreadsheet_safe`].

pub mod geojson;
pub mod kml;

use std::io::Write;
use std::path::Path;

use crate::analysis::ScoredRoute;
use crate::model::Dataset;
use crate::scoring::indicators::indicator_names;

/// Writes a file atomically: the bytes go to a temporary file in the same folder, are flushed to
/// disk, and the temporary file is renamed over `path`. A reader never sees half a file, and a
/// failed write leaves any previous file untouched.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    // Temporary files are created private (0600); the result gets the permissions of the file it
    // replaces, or the usual 0644 for a new file.
    if let Some(permissions) = std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions())
        .or_else(default_permissions)
    {
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Makes a cell safe to open in a spreadsheet: text starting with `=`, `+`, `-`, `@`, tab or
/// carriage return would be evaluated as a formula, so it gets a leading `'`. Numbers as trade
/// files write them (`-5`, `+3.2`, `-$5,000.00`) are left alone: they hold no formula.
/// Party names come from untrusted files.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    use crate::ingest::values::parse_number;
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let number = || parse_number(cell, false).is_some() || parse_number(cell, true).is_some();
    if risky && !number() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A CSV writer whose cells are all made spreadsheet-safe.
pub struct SafeCsv<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> SafeCsv<W> {
    /// Wraps `out`.
    pub fn new(out: W) -> Self {
        SafeCsv {
            inner: csv::WriterBuilder::new().flexible(true).from_writer(out),
        }
    }

    /// Writes one row.
    pub fn row<I, S>(&mut self, cells: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| spreadsheet_safe(c.as_ref()).into_owned())
            .collect();
        self.inner
            .write_record(&cells)
            .map_err(std::io::Error::other)
    }

    /// Flushes the rows written so far.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a dataset's rejected rows: `line,column,reason`, then the original fields under the
/// file's own header, so nothing is lost and the rows can be fixed and loaded again.
pub fn write_rejects(path: &Path, dataset: &Dataset) -> std::io::Result<()> {
    write_atomic(path, |out| {
        let mut csv = SafeCsv::new(out);
        let mut header = vec!["line".to_string(), "column".into(), "reason".into()];
        header.extend(dataset.header.iter().cloned());
        csv.row(&header)?;
        for r in &dataset.rejects {
            let mut row = vec![r.line.to_string(), r.column.clone(), r.message.clone()];
            row.extend(r.fields.iter().cloned());
            csv.row(&row)?;
        }
        csv.flush()
    })
}

/// Formats a score or indicator value with six decimals, so output is byte-identical across runs.
pub fn fixed(v: f64) -> String {
    format!("{v:.6}")
}

/// Writes routes as CSV: the `score` contract's columns, then one `f_<indicator>` column each.
pub fn write_routes_csv(path: &Path, routes: &[&ScoredRoute]) -> std::io::Result<()> {
    write_atomic(path, |out| {
        let mut csv = SafeCsv::new(out);
        let mut header: Vec<String> = [
            "route_id",
            "score",
            "flagged",
            "path",
            "parties",
            "shipment_ids",
            "first_date",
            "last_date",
            "quantity",
            "value_usd",
            "reasons",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let names = indicator_names();
        header.extend(names.iter().map(|n| format!("f_{n}")));
        csv.row(&header)?;
        for r in routes {
            let mut row = vec![
                r.id.clone(),
                fixed(r.score.score),
                r.score.flagged.to_string(),
                r.path.join(">"),
                r.parties.join(" > "),
                r.shipment_ids.join(";"),
                r.first_date.clone(),
                r.last_date.clone(),
                crate::scoring::indicators::qty(r.quantity),
                format!("{:.2}", r.value_usd),
                r.score.reasons(),
            ];
            row.extend(names.iter().map(|n| fixed(r.score.value(n))));
            csv.row(&row)?;
        }
        csv.flush()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("+cmd"), "'+cmd");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-2+3"), "'-2+3");
        assert_eq!(spreadsheet_safe("-5"), "-5");
        assert_eq!(spreadsheet_safe("+3.25"), "+3.25");
        assert_eq!(spreadsheet_safe("-$5,000.00"), "-$5,000.00");
        assert_eq!(
            spreadsheet_safe("-1+cmd|' /C calc'!A0"),
            "'-1+cmd|' /C calc'!A0"
        );
        assert_eq!(spreadsheet_safe("\t=1"), "'\t=1");
        assert_eq!(spreadsheet_safe("Lion City Compute"), "Lion City Compute");
    }

    #[test]
    fn atomic_write_replaces_the_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let failed = write_atomic(&path, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
