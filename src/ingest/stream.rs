//! Plain text tables read from disk block by block, so that reading a file never holds all of
//! it: a 10-million-row shipments file is 1.7 GB of text, and holding it (plus the page faults
//! of one giant allocation) cost more than parsing it.
//!
//! A thread reads the file in blocks of [`block_bytes`] into buffers that are handed back and
//! reused, and hashes each block as it goes; the records are parsed block after block on
//! rayon's threads ([`super::par_for_each_record`] carries a partial record over to the next
//! block). Only what the parallel shipments reader reads is streamed, and only plain UTF-8
//! text: the first bytes decide, and anything else (containers, UTF-16, Windows-1252, JSON or
//! HTML answers, other formats) is read whole as before, so that every message and every
//! dataset is the one the whole-file reader gives.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use super::{
    IngestError, Progress, ReadOptions, checked_text, detect_format, hex, read_header,
    sniff_delimiter, statistics,
};
use crate::gazetteer::Gazetteer;
use crate::model::{Dataset, Format};

/// Bytes read from the file at a time: big enough that a block holds many chunks for rayon's
/// threads, small enough that the blocks in flight are tens of MB, whatever the file's size.
const BLOCK_BYTES: usize = 16 << 20;
static BLOCK_BYTES_SET: AtomicUsize = AtomicUsize::new(0);

/// Sets the bytes read from a file at a time (0: the default, 16 MiB). Results do not depend
/// on it: tests make blocks tiny to cut records everywhere.
#[doc(hidden)]
pub fn set_block_bytes(bytes: usize) {
    BLOCK_BYTES_SET.store(bytes, Ordering::Relaxed);
}

pub(super) fn block_bytes() -> usize {
    match BLOCK_BYTES_SET.load(Ordering::Relaxed) {
        0 => BLOCK_BYTES,
        n => n,
    }
}

/// Records the head of a streamed file must hold whole (the header among them): the decimal
/// comma is sniffed from the first 2,000 records, and must be sniffed from the same ones.
const HEAD_RECORDS: usize = 2000;

/// The blocks of a file after its head, from a reading thread.
pub(super) struct Blocks {
    path: PathBuf,
    /// Where the blocks start in the file (after the head).
    from: u64,
    receiver: Mutex<mpsc::Receiver<std::io::Result<Vec<u8>>>>,
    /// Buffers given back to the reading thread to be filled again.
    pool: Mutex<mpsc::Sender<Vec<u8>>>,
    reader: Mutex<Option<JoinHandle<Option<String>>>>,
    /// Bytes taken from the file but not yet handed out: the end of the head that is not whole
    /// UTF-8 characters yet.
    pending: Mutex<Vec<u8>>,
    /// Set when a block is not UTF-8: the file must be read whole (as Windows-1252).
    not_utf8: AtomicBool,
}

impl Blocks {
    /// Starts reading `path` at byte `from` in blocks of `block` bytes on a thread of its own;
    /// with `hash`, the thread also returns the SHA-256 of everything it read.
    fn open(path: &Path, from: u64, hash: bool, block: usize) -> Result<Blocks, IngestError> {
        let io = |source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(io)?;
        file.seek(SeekFrom::Start(from)).map_err(io)?;
        // Two blocks wait while one is parsed and one is read: reading never runs far ahead.
        let (sender, receiver) = mpsc::sync_channel(2);
        let (pool, returned) = mpsc::channel::<Vec<u8>>();
        let reader = std::thread::spawn(move || {
            let mut hasher = hash.then(Sha256::new);
            loop {
                let mut buf = returned
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(block));
                buf.clear();
                if let Err(e) = (&mut file).take(block as u64).read_to_end(&mut buf) {
                    let _ = sender.send(Err(e));
                    return None;
                }
                if buf.is_empty() {
                    return hasher.map(|h| hex(&h.finalize()));
                }
                if let Some(h) = &mut hasher {
                    h.update(&buf);
                }
                // The receiver is gone when reading stopped early (an error, a fallback).
                if sender.send(Ok(buf)).is_err() {
                    return None;
                }
            }
        });
        Ok(Blocks {
            path: path.to_path_buf(),
            from,
            receiver: Mutex::new(receiver),
            pool: Mutex::new(pool),
            reader: Mutex::new(Some(reader)),
            pending: Mutex::new(Vec::new()),
            not_utf8: AtomicBool::new(false),
        })
    }

    /// The same blocks read again from the start, without hashing (for a second pass).
    pub(super) fn reopen(&self) -> Result<Blocks, IngestError> {
        let again = Blocks::open(&self.path, self.from, false, block_bytes())?;
        *lock(&again.pending) = lock(&self.pending).clone();
        Ok(again)
    }

    /// Appends the next block to `buf`; `false` at the end of the file.
    pub(super) fn append_next(&self, buf: &mut Vec<u8>) -> Result<bool, IngestError> {
        let mut pending = lock(&self.pending);
        if !pending.is_empty() {
            buf.append(&mut pending);
            return Ok(true);
        }
        drop(pending);
        match lock(&self.receiver).recv() {
            Ok(Ok(block)) => {
                buf.extend_from_slice(&block);
                // The thread is gone only at the end of the file: nothing to give back to then.
                let _ = lock(&self.pool).send(block);
                Ok(true)
            }
            Ok(Err(source)) => Err(IngestError::Io {
                path: self.path.clone(),
                source,
            }),
            Err(mpsc::RecvError) => Ok(false),
        }
    }

    /// Marks the file as not UTF-8: the read ends, and the file is read whole instead.
    pub(super) fn not_utf8(&self) -> IngestError {
        self.not_utf8.store(true, Ordering::Relaxed);
        IngestError::Cancelled
    }

    /// The SHA-256 of the whole file, once every block has been taken.
    fn finish(self) -> Option<String> {
        let reader = lock(&self.reader).take()?;
        drop(self.receiver);
        reader.join().ok().flatten()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What [`read_path`] did with a file.
pub(super) enum Streamed {
    /// It read the file.
    Read(Box<Dataset>),
    /// The file is not one it streams: read it whole. The bytes when it already had them all.
    Whole(Option<Vec<u8>>),
}

/// What the head of a file says about streaming it.
enum Head {
    /// Stream it: the head's text is `bytes[bom..bom + text]`.
    Ready { bom: usize, text: usize },
    /// Not sure yet: read more.
    More,
    /// Do not stream it.
    No,
}

/// Reads the file at `path` as a stream of blocks when it is a plain UTF-8 shipments table
/// bigger than one block.
pub(super) fn read_path(
    path: &Path,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    progress: Progress<'_>,
) -> Result<Streamed, IngestError> {
    let block = block_bytes();
    let io = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size <= block as u64 {
        return Ok(Streamed::Whole(None));
    }
    let stage = crate::timing::Stage::start("read: head");
    let blocks = Blocks::open(path, 0, !options.skip_hash, block)?;
    // The head is read until it decides, looked at again each time it has doubled.
    let most = (4 * block).max(64 << 20);
    let mut head = Vec::new();
    let mut look_at = 16 << 10;
    let (bom, text) = loop {
        if !blocks.append_next(&mut head)? {
            return Ok(Streamed::Whole(Some(head)));
        }
        if head.len() < look_at {
            continue;
        }
        look_at = head.len() * 2;
        match head_says(&head, options) {
            Head::Ready { bom, text } => break (bom, text),
            Head::More if head.len() < most => {}
            Head::More | Head::No => return Ok(Streamed::Whole(None)),
        }
    };
    stage.end();
    *lock(&blocks.pending) = head[bom + text..].to_vec();
    let blocks = Blocks {
        from: (bom + text) as u64,
        ..blocks
    };
    let text = std::str::from_utf8(&head[bom..bom + text]).expect("the head was checked UTF-8");
    let encoding = if bom > 0 { "utf-8 (BOM)" } else { "utf-8" };
    let read = super::read_decoded(
        super::Text {
            text,
            len: (size as usize).saturating_sub(bom),
            stream: Some(&blocks),
        },
        path,
        size,
        encoding,
        options,
        gazetteer,
        Some(progress),
        None,
    );
    if blocks.not_utf8.load(Ordering::Relaxed) {
        return Ok(Streamed::Whole(None));
    }
    let mut dataset = read?;
    dataset.provenance.sha256 = blocks.finish().unwrap_or_default();
    Ok(Streamed::Read(Box::new(dataset)))
}

/// Whether the head of a file decides as the whole file would: not a container, UTF-8, a table
/// (not a JSON, HTML or one-line answer), a shipments header, and the first [`HEAD_RECORDS`]
/// records whole in it.
fn head_says(head: &[u8], options: &ReadOptions) -> Head {
    if super::containers::is_container(head)
        || head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
    {
        return Head::No;
    }
    let bom = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let body = &head[bom..];
    if body[..body.len().min(8192)].contains(&0) {
        return Head::No;
    }
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        // Cut inside a character: the rest comes with the next block.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&body[..e.valid_up_to()]).expect("valid up to there")
        }
        Err(_) => return Head::No,
    };
    if text.chars().nth(8192).is_none() {
        return Head::More;
    }
    if checked_text(text.into(), "utf-8").is_err() {
        return Head::No;
    }
    // A data source's answer is told by its first bytes or its first seven lines.
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with(['{', '[', '<']) {
        return Head::No;
    }
    if t.lines().filter(|l| !l.trim().is_empty()).nth(6).is_none() {
        return Head::More;
    }
    if statistics::source_answer(text).is_some() {
        return Head::No;
    }
    let delimiter = sniff_delimiter(text);
    let Ok(header) = read_header(text, delimiter) else {
        return Head::No;
    };
    let format = match options.format {
        Some(f) => f,
        None => match detect_format(&header, options.mapping.as_ref()) {
            Ok(f) => f,
            Err(_) => return Head::No,
        },
    };
    if format != Format::Shipments {
        return Head::No;
    }
    // A record after the first HEAD_RECORDS: they all end in the head.
    let mut reader = super::csv_reader(text, delimiter);
    let mut record = csv::ByteRecord::new();
    for _ in 0..=HEAD_RECORDS {
        if !reader.read_byte_record(&mut record).unwrap_or(false) {
            return Head::More;
        }
    }
    Head::Ready {
        bom,
        text: text.len(),
    }
}
