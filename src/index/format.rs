//! The on-disk format of an index, format version 2 (version 1 is still read): framing shared
//! by every file, and bounds-checked little-endian decoding.
//!
//! # Files
//!
//! An index is a directory:
//!
//! | file | what | written |
//! |---|---|---|
//! | `MANIFEST` | settings, the list of live segments and their delete files | replaced atomically |
//! | `seg-NNNNNN.seg` | one immutable segment (documents, fingerprints, texts) | once |
//! | `seg-NNNNNN.del-GGGGGG` | tombstone bitset of a segment as of generation G | once |
//! | `LOCK` | held by the one writer: `pid=..`, `host=..` | created with `O_EXCL` |
//!
//! A file that the manifest does not name is garbage (a crashed writer's leftover) and is
//! removed by the next writer; readers never look at it.
//!
//! # Framing (every file)
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 8 | magic: `STMMANI1` (manifest), `STMSEGM1` (segment), `STMDELS1` (deletes) |
//! | 8 | 4 | format version, u32 LE (= [`FORMAT_VERSION`]) |
//! | 12 | 4 | reserved, 0 |
//! | 16 | n | body |
//! | 16 + n | 8 | n, u64 LE (so the expected file size is known from the tail) |
//! | 24 + n | 8 | xxh3-64 (seed 0) of bytes `0 .. 24 + n`, u64 LE |
//!
//! Cheap checks (on every open): size >= 32, magic, version, `n == size - 32`. The full
//! checksum is checked on open for the manifest and delete files (small), and by
//! `stemma index verify` for segments; open checks the per-section checksums of the segment
//! sections it loads (see [`super::segment`]).
//!
//! # Manifest body
//!
//! UTF-8 JSON of [`super::Manifest`]: `format_version`, `params` (the
//! [`crate::FingerprintParams`] every fingerprint was made with), `banding` (LSH bands x rows of
//! the band tables), `texts` (whether segments hold texts), `generation`, `next_segment`,
//! `segments` (name, docs, bytes, checksum, deletes file, deleted count), `word_bigrams`
//! (stored bigrams are word bigrams whatever the shingle unit), `bigram_postings_max_df`
//! (every segment holds bigram postings for the bigrams in at most this many of its
//! documents; 0 or absent: not every segment does).
//!
//! # Delete file body
//!
//! `bits` u64 LE (= documents in the segment), then `ceil(bits / 64)` u64 LE words: bit `i`
//! (word `i / 64`, bit `i % 64`, least significant first) set = document `i` is deleted.
//!
//! # Segment body
//!
//! | offset (from body start) | bytes | field |
//! |---|---|---|
//! | 0 | 4 | `docs`: document count, u32 |
//! | 4 | 4 | flags, u32: bit 0 = texts stored |
//! | 8 | 4 | `num_perm`: MinHash values per signature |
//! | 12 | 4 | `bands` of the band tables |
//! | 16 | 4 | `rows` per band |
//! | 20 | 4 | section count (= 8; 7 in version 1, without BIGRAM POSTINGS) |
//! | 24 | count x 24 | section table: offset (from file start) u64, length u64, xxh3-64 u64 |
//!
//! Sections, in order (all integers little-endian; "sorted" = ascending by the whole record):
//!
//! | # | section | record | content |
//! |---|---|---|---|
//! | 0 | DOCS | 48 bytes x docs | tokens u32, distinct shingles u32, content hash u64, SimHash u64, blob offset u64 (in BLOBS), blob length u64, blob xxh3-64 u64 |
//! | 1 | IDS | (docs + 1) x u32 offsets, then UTF-8 bytes | document `i`'s id is `bytes[off[i]..off[i+1]]`; ids are sorted |
//! | 2 | BANDS | 12 bytes (key u64, doc u32) | `bands` tables of the same length, each sorted; key = [`crate::candidates::lsh::band_key`]; documents without tokens are left out |
//! | 3 | POSTINGS | 12 bytes (hash u64, doc u32) | distinct winnowed fingerprints, sorted |
//! | 4 | BIGRAMS | 12 bytes (hash u64, count u32) | documents of the segment holding each token bigram, sorted |
//! | 5 | SIGS | `num_perm` x u32 per document | MinHash signatures, read on demand |
//! | 6 | BLOBS | variable | per document: meta JSON length u32, meta JSON ([`crate::Meta`]), then with texts: a zstd frame of the text; without: shingle count u32, shingle hashes in text order u64 each, bigram count u32, distinct bigram hashes u64 each (sorted) |
//! | 7 | BIGRAM POSTINGS | 12 bytes (hash u64, doc u32) | the documents holding each token bigram found in at most the manifest's `bigram_postings_max_df` documents of the segment (the others: see BIGRAMS), sorted; read by rewrite candidates against the index |
//!
//! Invariants a reader relies on, all checked (never trusted) before use: sections lie inside
//! the file and do not overlap the header; record sections are whole multiples of their record
//! size; document numbers are `< docs`; blob ranges lie inside BLOBS; lengths inside a blob lie
//! inside the blob. A violation is [`crate::Error::IndexCorrupt`] naming the file, never a panic.
//!
//! # Version policy
//!
//! [`FORMAT_VERSION`] changes with any change of this layout. A reader accepts exactly the
//! versions it knows (today: 1 and 2) and refuses others with a message saying to rebuild the
//! index (or to use the stemma version that wrote it). A writer writes its own version; the
//! manifest of an index it wrote to says that version, so an older reader refuses it clearly.
//! Version 2 added the BIGRAM POSTINGS section. A version-1 index opens and answers with the
//! rare-bigram generator off; asked for it, it is refused with what to do (`stemma index
//! compact` rewrites every segment with postings). `tests/data/index-v1/` holds an index written
//! by version 1; a test opens and queries it, so a layout change cannot silently break it.

use std::path::Path;

use crate::error::{Error, Result};
use crate::hash::hash_bytes;

/// The on-disk format version this build writes (version 2 added the bigram postings).
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format version this build reads (version 1: segments without bigram postings).
pub const OLDEST_VERSION: u32 = 1;
/// Magic of the manifest.
pub const MAGIC_MANIFEST: &[u8; 8] = b"STMMANI1";
/// Magic of a segment.
pub const MAGIC_SEGMENT: &[u8; 8] = b"STMSEGM1";
/// Magic of a delete file.
pub const MAGIC_DELETES: &[u8; 8] = b"STMDELS1";
/// Header bytes.
pub const HEADER_LEN: usize = 16;
/// Footer bytes.
pub const FOOTER_LEN: usize = 16;

/// The file name relative to the index directory's parent, for messages (`idx/MANIFEST`).
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// The corruption error for `path`.
pub fn corrupt(path: &Path, problem: impl Into<String>) -> Error {
    Error::IndexCorrupt {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

/// Frames `body` as a file with `magic`: header, body, length, checksum.
pub fn frame(magic: &[u8; 8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + HEADER_LEN + FOOTER_LEN);
    frame_header(magic, &mut out);
    out.extend_from_slice(body);
    frame_footer(&mut out);
    out
}

/// Writes the 16-byte header.
pub fn frame_header(magic: &[u8; 8], out: &mut Vec<u8>) {
    out.extend_from_slice(magic);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
}

/// Appends the footer (body length and checksum) to a buffer that holds header + body.
pub fn frame_footer(out: &mut Vec<u8>) {
    let n = (out.len() - HEADER_LEN) as u64;
    out.extend_from_slice(&n.to_le_bytes());
    let sum = hash_bytes(out, 0);
    out.extend_from_slice(&sum.to_le_bytes());
}

/// Cheap checks of a framed file of `size` bytes given its first 16 and last 16 bytes:
/// magic, version, and that the stored body length matches the size. Returns the body length.
pub fn check_frame(
    path: &Path,
    magic: &[u8; 8],
    head: &[u8],
    tail: &[u8],
    size: u64,
) -> Result<u64> {
    if size < (HEADER_LEN + FOOTER_LEN) as u64 || head.len() < HEADER_LEN || tail.len() < 8 {
        return Err(corrupt(
            path,
            format!("file is truncated ({size} bytes, shorter than its header and footer)"),
        ));
    }
    if &head[..8] != magic {
        return Err(corrupt(
            path,
            format!(
                "wrong magic {:?} (expected {:?}): not a stemma index file of this kind",
                String::from_utf8_lossy(&head[..8]),
                String::from_utf8_lossy(magic)
            ),
        ));
    }
    let version = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    if !(OLDEST_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(Error::IndexVersion {
            path: path.to_path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let n = u64::from_le_bytes(tail[..8].try_into().expect("8 bytes"));
    if n != size - (HEADER_LEN + FOOTER_LEN) as u64 {
        return Err(corrupt(
            path,
            format!(
                "size mismatch: footer says {} body bytes, file has {} (truncated or appended to)",
                n,
                size - (HEADER_LEN + FOOTER_LEN) as u64
            ),
        ));
    }
    Ok(n)
}

/// Full check of a whole framed file in memory; returns the body.
pub fn unframe<'a>(path: &Path, magic: &[u8; 8], bytes: &'a [u8]) -> Result<&'a [u8]> {
    let size = bytes.len() as u64;
    let tail_start = bytes.len().saturating_sub(FOOTER_LEN);
    check_frame(path, magic, bytes, &bytes[tail_start..], size)?;
    let stored = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().expect("8 bytes"));
    if hash_bytes(&bytes[..bytes.len() - 8], 0) != stored {
        return Err(corrupt(path, "checksum mismatch"));
    }
    Ok(&bytes[HEADER_LEN..tail_start])
}

/// A bounds-checked little-endian reader over a byte slice. Every read that would run past
/// the end is a corruption error naming the file and what was being read.
pub struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    /// A reader over `bytes` (from `path`, for messages).
    pub fn new(bytes: &'a [u8], path: &'a Path) -> Self {
        Cursor {
            bytes,
            pos: 0,
            path,
        }
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(corrupt(
                self.path,
                format!(
                    "{what}: needs {n} bytes, only {} left (truncated or corrupt)",
                    self.remaining()
                ),
            ));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// A u32.
    pub fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4"),
        ))
    }

    /// A u64.
    pub fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8"),
        ))
    }

    /// `count` u64 values; `count` is checked against the bytes left before allocating.
    pub fn u64s(&mut self, count: usize, what: &str) -> Result<Vec<u64>> {
        let bytes = self.take(count.saturating_mul(8), what)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8")))
            .collect())
    }
}

/// Appends `(u64, u32)` records.
pub fn put_records12(out: &mut Vec<u8>, records: &[(u64, u32)]) {
    for &(h, d) in records {
        out.extend_from_slice(&h.to_le_bytes());
        out.extend_from_slice(&d.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_round_trips_and_detects_every_flipped_byte() {
        let path = Path::new("x");
        let file = frame(MAGIC_DELETES, b"hello body");
        assert_eq!(unframe(path, MAGIC_DELETES, &file).unwrap(), b"hello body");
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x10;
            assert!(unframe(path, MAGIC_DELETES, &bad).is_err(), "byte {i}");
        }
        for n in 0..file.len() {
            assert!(unframe(path, MAGIC_DELETES, &file[..n]).is_err(), "len {n}");
        }
        assert!(unframe(path, MAGIC_SEGMENT, &file).is_err());
    }

    #[test]
    fn cursor_never_reads_past_the_end() {
        let path = Path::new("x");
        let mut c = Cursor::new(&[1, 0, 0, 0, 9], path);
        assert_eq!(c.u32("a").unwrap(), 1);
        assert!(c.u32("b").is_err());
        assert!(c.u64s(usize::MAX / 4, "c").is_err());
    }
}
