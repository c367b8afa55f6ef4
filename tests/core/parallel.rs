//! Shipment files are read in chunks on rayon's threads: the dataset must be the one a single
//! pass gives, whatever the number of threads and wherever the chunks are cut.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{
    IngestError, ReadOptions, read_bytes, read_path, set_block_bytes, set_chunk_bytes,
};
use chiptrail::model::{Dataset, Records};

/// The chunk and block sizes are settings for the whole process: tests that set them take
/// turns.
static CHUNK_SIZE: Mutex<()> = Mutex::new(());

/// A chunk size (and block size) for one test, back to the defaults when the test ends, also
/// when it fails.
struct ChunkSize {
    _turn: MutexGuard<'static, ()>,
}

impl ChunkSize {
    fn set(bytes: usize) -> ChunkSize {
        Self::with_blocks(bytes, 0)
    }

    fn with_blocks(chunk: usize, block: usize) -> ChunkSize {
        let turn = CHUNK_SIZE.lock().unwrap_or_else(|e| e.into_inner());
        set_chunk_bytes(chunk);
        set_block_bytes(block);
        ChunkSize { _turn: turn }
    }
}

impl Drop for ChunkSize {
    fn drop(&mut self) {
        set_chunk_bytes(0);
        set_block_bytes(0);
    }
}

/// A shipments file with what makes cutting it hard: a BOM, CRLF line ends, blank lines, quoted
/// fields holding line ends, commas and quotes (also across several lines), a stray quote inside
/// an unquoted field, rows with too few and too many fields, bad values, rows without an id,
/// and ambiguous day/month dates of which a few are impossible in the order the file decides.
fn messy_text() -> Vec<u8> {
    messy_rows(3000)
}

/// [`messy_text`] with `rows` rows.
fn messy_rows(rows: u32) -> Vec<u8> {
    let exporters = [
        "Cypress Devices Corp.",
        "Raffles Peripherals Inc.",
        "RAFFLES PERIPHERALS INC",
        "Sequoia Digital LLC",
        "  Tamarind Optics Limited ",
        "\"Gulf Star Tech Trading Co., Limited\"",
    ];
    let importers = [
        ("Penang Bridge Distribution", "MY"),
        ("Harbour Line Trading", "SG"),
        ("Harbour Line Trading Pte Ltd", "SG"),
        ("Kowloon Parts", "HK"),
        ("Atlas Components", "AE"),
    ];
    let mut text = String::from(
        "\u{feff}shipment_id,date,exporter,exporter_country,importer,importer_country,origin_country,hs_code,description,quantity,unit,value_usd,weight_kg,port_of_loading,port_of_discharge,transport_mode\r\n",
    );
    for i in 0..rows {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let date = match i % 23 {
            3 => format!("{day:02}/{month:02}/2023"),
            // Impossible once the file is read day first: dropped after the pass.
            7 if i % 3 == 0 => format!("{month:02}/{:02}/2023", 13 + i % 15),
            11 => "2023-02-30".to_string(),
            _ => format!("2023-{month:02}-{day:02}"),
        };
        let id = if i % 37 == 5 {
            String::new()
        } else {
            format!("BL{i:07}")
        };
        let exporter = exporters[(i as usize * 7) % exporters.len()];
        let (importer, country) = importers[(i as usize * 3) % importers.len()];
        let description = match i % 13 {
            2 => "\"GPU card, \"\"H100\"\"\nboxed\r\nsecond line\"".to_string(),
            5 => "\"SERVER\n\n\nwith blank lines inside\"".to_string(),
            8 => "19\" RACK UNIT".to_string(),
            10 => "Grafikkarte für Rechenzentren — 显卡 ✓".to_string(),
            _ => format!("GPU card model {}", i % 9),
        };
        let exporter_country = if i % 97 == 13 { "Atlantis" } else { "US" };
        let value = if i % 89 == 17 {
            "-5".to_string()
        } else {
            format!("{}.{:02}", 1000 + i * 7, i % 100)
        };
        let mut row = format!(
            "{id},{date},{exporter},{exporter_country},{importer},{country},TW,847330,{description},{},PCS,{value},{}.5,USLAX,SGSIN,{}",
            1 + i % 50,
            10 + i % 400,
            ["AIR", "Ocean", "Courier", ""][(i % 4) as usize],
        );
        if i % 101 == 9 {
            row.push_str(",extra");
        }
        if i % 103 == 4 {
            row = row.splitn(5, ',').take(4).collect::<Vec<_>>().join(",");
        }
        if i % 59 == 0 {
            row.push_str(",,");
        }
        text.push_str(&row);
        text.push_str(if i % 3 == 0 { "\n" } else { "\r\n" });
        if i % 71 == 0 {
            text.push_str("\r\n\n");
        }
        if i % 211 == 0 {
            text.push_str("  ,  \n");
        }
    }
    text.into_bytes()
}

/// Reads the file at `path` on `threads` threads.
fn read_file(path: &Path, threads: usize) -> Result<Dataset, IngestError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(|| read_path(path, &ReadOptions::default(), Gazetteer::embedded(), None))
}

fn read(bytes: &[u8], threads: usize) -> Result<Dataset, IngestError> {
    read_as(bytes, threads, &ReadOptions::default())
}

/// Reads `bytes` as `messy.csv` on `threads` threads with `options`.
fn read_as(bytes: &[u8], threads: usize, options: &ReadOptions) -> Result<Dataset, IngestError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(|| {
            read_bytes(
                bytes,
                Path::new("messy.csv"),
                options,
                Gazetteer::embedded(),
                None,
            )
        })
}

#[test]
fn chunked_reads_on_any_number_of_threads_give_the_single_pass_dataset() {
    let bytes = messy_text();
    let one_chunk = {
        let _size = ChunkSize::set(usize::MAX);
        read(&bytes, 1).expect("the file reads")
    };
    // The text has what the test is about.
    assert!(one_chunk.shipments().len() > 2000);
    assert!(one_chunk.rejects.len() > 100);
    assert!(
        one_chunk
            .rejects
            .iter()
            .any(|r| r.message.contains("found"))
    );
    assert!(
        one_chunk
            .rejects
            .iter()
            .any(|r| r.message.contains("impossible date in day/month order")
                && !r.fields.is_empty())
    );
    assert!(
        one_chunk
            .shipments()
            .iter()
            .any(|s| s.description.contains('\n'))
    );
    assert!(one_chunk.shipments().iter().any(|s| s.id.starts_with('L')));
    assert!(
        one_chunk
            .provenance
            .notes
            .iter()
            .any(|n| n.contains("day/month"))
    );

    for chunk in [1, 64, 300, 1000, 4096, 50_000] {
        let _size = ChunkSize::set(chunk);
        for threads in [1, 2, 4] {
            let chunked = read(&bytes, threads).expect("the file reads");
            assert_eq!(
                chunked, one_chunk,
                "{chunk}-byte chunks on {threads} thread(s)"
            );
        }
    }
}

/// `chiptrail check` reads with `count_only`: the same rows judged good, the same rejected rows
/// (impossible dates in the order the column decides among them) and the same notes as reading
/// the rows, on any number of threads and chunk sizes, with no row kept.
#[test]
fn counting_rows_gives_the_verdicts_of_reading_them() {
    let bytes = messy_text();
    let full = read(&bytes, 2).expect("the file reads");
    assert!(
        full.rejects
            .iter()
            .any(|r| r.message.contains("impossible date"))
    );
    let counting = ReadOptions {
        count_only: true,
        ..ReadOptions::default()
    };
    for chunk in [300, 50_000] {
        let _size = ChunkSize::set(chunk);
        for threads in [1, 2] {
            let counted = read_as(&bytes, threads, &counting).expect("the file reads");
            assert_eq!(counted.records, Records::Counted(full.shipments().len()));
            assert!(counted.shipments().is_empty());
            assert_eq!(counted.rejects, full.rejects);
            assert_eq!(counted.rows_total, full.rows_total);
            assert_eq!(counted.provenance.notes, full.provenance.notes);
        }
    }
}

#[test]
fn chunked_reads_report_progress_in_order_and_can_be_cancelled() {
    let bytes = messy_text();
    let _size = ChunkSize::set(2000);
    let mut seen = Vec::new();
    let mut report = |f: f64| {
        seen.push(f);
        true
    };
    read_bytes(
        &bytes,
        Path::new("messy.csv"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        Some(&mut report),
    )
    .expect("the file reads");
    assert!(seen.len() > 10, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last(), Some(&1.0));

    let mut calls = 0;
    let mut cancel = |_: f64| {
        calls += 1;
        calls < 3
    };
    let read = read_bytes(
        &bytes,
        Path::new("messy.csv"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        Some(&mut cancel),
    );
    assert!(matches!(read, Err(IngestError::Cancelled)));
    assert_eq!(calls, 3);
}

#[test]
fn files_read_in_blocks_of_any_size_give_the_whole_file_dataset() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (rows, blocks) in [
        (3000, &[1, 2, 3, 5, 7][..]),
        (10_000, &[64, 300, 1000, 4096, 50_000][..]),
    ] {
        let path = dir.path().join(format!("messy{rows}.csv"));
        std::fs::write(&path, messy_rows(rows)).expect("the file is written");
        let whole = {
            let _size = ChunkSize::with_blocks(usize::MAX, usize::MAX);
            read_file(&path, 1).expect("the file reads")
        };
        assert!(whole.shipments().len() > rows as usize * 2 / 3);
        assert!(
            whole
                .rejects
                .iter()
                .any(|r| r.message.contains("day/month") && !r.fields.is_empty())
        );
        assert!(
            whole
                .shipments()
                .iter()
                .any(|s| s.description.contains('显'))
        );
        for &block in blocks {
            for chunk in [300, 4096, usize::MAX] {
                let _size = ChunkSize::with_blocks(chunk, block);
                for threads in [1, 2] {
                    let streamed = read_file(&path, threads).expect("the file reads");
                    assert_eq!(
                        streamed, whole,
                        "{block}-byte blocks, {chunk}-byte chunks on {threads} thread(s)"
                    );
                }
            }
        }
    }
}

#[test]
fn a_streamed_file_that_turns_out_not_utf8_is_read_whole() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("latin1.csv");
    let mut bytes = messy_rows(4000);
    // Windows-1252 near the end, after UTF-8 text that reads the same either way.
    let at = bytes.len() - 300;
    let end = at
        + bytes[at..]
            .iter()
            .position(|b| *b == b'\n')
            .expect("a line end");
    bytes.splice(end..end, *b",T\xfcrkiye");
    std::fs::write(&path, &bytes).expect("the file is written");
    let whole = {
        let _size = ChunkSize::with_blocks(usize::MAX, usize::MAX);
        read_file(&path, 1).expect("the file reads")
    };
    assert_eq!(whole.provenance.encoding, "windows-1252");
    let _size = ChunkSize::with_blocks(4096, 10_000);
    let mut seen = Vec::new();
    let mut report = |f: f64| {
        seen.push(f);
        true
    };
    let streamed = read_path(
        &path,
        &ReadOptions::default(),
        Gazetteer::embedded(),
        Some(&mut report),
    )
    .expect("the file reads");
    assert_eq!(streamed, whole);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last(), Some(&1.0));
}

#[test]
fn streamed_reads_report_progress_in_order_and_can_be_cancelled() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("messy.csv");
    std::fs::write(&path, messy_rows(6000)).expect("the file is written");
    let _size = ChunkSize::with_blocks(2000, 30_000);
    let mut seen = Vec::new();
    let mut report = |f: f64| {
        seen.push(f);
        true
    };
    read_path(
        &path,
        &ReadOptions::default(),
        Gazetteer::embedded(),
        Some(&mut report),
    )
    .expect("the file reads");
    assert!(seen.len() > 100, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last(), Some(&1.0));

    let mut calls = 0;
    let mut cancel = |_: f64| {
        calls += 1;
        calls < 300
    };
    let read = read_path(
        &path,
        &ReadOptions::default(),
        Gazetteer::embedded(),
        Some(&mut cancel),
    );
    assert!(matches!(read, Err(IngestError::Cancelled)));
    assert_eq!(calls, 300);
}

/// Every file read is hashed (case files check their inputs by it) unless the reader asks
/// otherwise (`score`, which writes no hash), whether the file is read whole or streamed in
/// blocks; the rows are the same either way.
#[test]
fn a_file_is_hashed_unless_the_reader_skips_it() {
    let g = Gazetteer::embedded();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipments.csv");
    let mut text = String::from(
        "shipment_id,date,exporter,exporter_country,importer,importer_country,hs_code,description,quantity,value_usd\n",
    );
    for i in 0..2000 {
        text.push_str(&format!(
            "S{i},2024-03-{:02},Lion City Compute Pte. Ltd.,SG,Gulf Star Trading LLC,AE,847330,GPU board,{},{}\n",
            i % 28 + 1,
            i % 7 + 1,
            1000 * (i % 7 + 1)
        ));
    }
    std::fs::write(&path, &text).unwrap();
    let skip = ReadOptions {
        skip_hash: true,
        ..ReadOptions::default()
    };
    // Whole, then streamed in blocks of 4 KiB.
    for block in [0, 4096] {
        let _size = ChunkSize::with_blocks(0, block);
        let hashed = read_path(&path, &ReadOptions::default(), g, None).unwrap();
        let skipped = read_path(&path, &skip, g, None).unwrap();
        assert_eq!(hashed.provenance.sha256.len(), 64, "block {block}");
        assert_eq!(skipped.provenance.sha256, "", "block {block}");
        assert_eq!(hashed.shipments().len(), 2000);
        assert_eq!(hashed.shipments(), skipped.shipments());
    }
}
