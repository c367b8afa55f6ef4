//! Writing files safely, for every face and module that writes: [`write_atomic`] replaces a file
//! in one step (a temporary file beside the target, then a rename), and [`SafeCsv`] makes every
//! cell safe to open in a spreadsheet. A leaf module: it knows nothing of routes or scores, so the
//! exporters and the sample generator both sit above it.

use std::io::Write;
use std::path::Path;

/// Writes a file atomically: the bytes go to a temporary file in the same folder, are flushed to
/// disk, and the temporary file is renamed over `path`. A reader never sees half a file, and a
/// failed write leaves any previous file untouched.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
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
        // Most cells are safe as they are: borrowed, not copied (a route's row is a kilobyte,
        // written on the one thread that writes).
        let cells: Vec<S> = cells.into_iter().collect();
        self.inner
            .write_record(
                cells
                    .iter()
                    .map(|c| spreadsheet_safe(c.as_ref()))
                    .map(|c| match c {
                        std::borrow::Cow::Borrowed(b) => std::borrow::Cow::Borrowed(b.as_bytes()),
                        std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(o.into_bytes()),
                    }),
            )
            .map_err(std::io::Error::other)
    }

    /// Flushes the rows written so far.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
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
