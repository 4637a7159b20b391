//! One immutable segment file: writing it from [`DocRecord`]s, opening it (cheap checks plus
//! one streaming pass checking the checksums and ranges of the sections searched in place),
//! reading one document's blob or signature on demand, and full verification. The byte layout
//! is in [`super::format`].
//!
//! A reader memory-maps the file and keeps nothing proportional to it: the document table,
//! ids, band tables, postings and bigram counts are binary-searched in the mapping; signatures
//! and blobs (metadata, compressed texts or shingle sequences) are read from it when a
//! candidate needs them, each blob checked against its own checksum. So a query's resident
//! memory is the pages its lookups touch, not the index size.
//!
//! Tombstones are not here: a segment never changes; deletes live in delete files.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::candidates::lsh::band_key;
use crate::corpus::Meta;
use crate::error::{Error, Result};
use crate::hash::hash_bytes;
use crate::profile::{Profile, Profiler, TokenView};
use crate::text::Token;

use super::format::{
    check_frame, corrupt, frame_footer, frame_header, put_records12, Cursor, FOOTER_LEN,
    HEADER_LEN, MAGIC_SEGMENT,
};

const SECTIONS: usize = 7;
const DOC_RECORD: usize = 48;
const BODY_HEADER: usize = 24 + SECTIONS * 24;

/// Everything a segment stores about one document, ready to be written.
#[derive(Debug, Clone)]
pub struct DocRecord {
    /// Id.
    pub id: String,
    /// Token count.
    pub tokens: u32,
    /// Distinct shingles.
    pub shingles: u32,
    /// Content hash.
    pub content_hash: u64,
    /// SimHash.
    pub simhash: u64,
    /// MinHash signature.
    pub signature: Vec<u32>,
    /// Distinct winnowed fingerprints, sorted.
    pub winnowed: Vec<u64>,
    /// Distinct token bigrams, sorted.
    pub bigrams: Vec<u64>,
    /// The encoded blob (metadata and text or shingle data).
    pub blob: Vec<u8>,
}

/// A document's blob, decoded.
#[derive(Debug, Clone)]
pub struct Blob {
    /// Metadata.
    pub meta: Meta,
    /// The text, when the index stores texts.
    pub text: Option<String>,
    /// Without texts: shingle hashes in text order.
    pub shingle_seq: Vec<u64>,
    /// Without texts: distinct bigrams, sorted.
    pub bigrams: Vec<u64>,
}

impl DocRecord {
    /// Profiles `text` and encodes its blob (zstd text when `texts`, else shingle data).
    pub fn new(
        id: &str,
        text: &str,
        meta: &Meta,
        profiler: &Profiler,
        texts: bool,
    ) -> Result<DocRecord> {
        let profile: Profile = profiler.profile(text);
        let view = profiler.view(text);
        let mut blob = Vec::new();
        let meta_json = serde_json::to_vec(meta).expect("metadata serializes");
        blob.extend_from_slice(&(meta_json.len() as u32).to_le_bytes());
        blob.extend_from_slice(&meta_json);
        if texts {
            let z = zstd::bulk::compress(text.as_bytes(), 3).map_err(|e| Error::Write {
                path: PathBuf::from(id),
                source: e,
            })?;
            blob.extend_from_slice(&z);
        } else {
            blob.extend_from_slice(&(view.shingle_seq.len() as u32).to_le_bytes());
            for h in &view.shingle_seq {
                blob.extend_from_slice(&h.to_le_bytes());
            }
            blob.extend_from_slice(&(view.bigram_set.len() as u32).to_le_bytes());
            for h in &view.bigram_set {
                blob.extend_from_slice(&h.to_le_bytes());
            }
        }
        Ok(DocRecord {
            id: id.to_string(),
            tokens: profile.tokens as u32,
            shingles: profile.shingles.len() as u32,
            content_hash: profile.content_hash,
            simhash: profile.simhash,
            signature: profile.signature.0,
            winnowed: profile.winnowed,
            bigrams: view.bigram_set,
            blob,
        })
    }
}

/// Encodes a whole segment file. `records` must be sorted by id (distinct).
pub fn encode(
    records: &[DocRecord],
    num_perm: usize,
    bands: usize,
    rows: usize,
    texts: bool,
) -> Vec<u8> {
    let n = records.len();
    let mut sections: Vec<Vec<u8>> = vec![Vec::new(); SECTIONS];
    // DOCS and BLOBS.
    let mut blob_off = 0u64;
    for r in records {
        let s = &mut sections[0];
        s.extend_from_slice(&r.tokens.to_le_bytes());
        s.extend_from_slice(&r.shingles.to_le_bytes());
        s.extend_from_slice(&r.content_hash.to_le_bytes());
        s.extend_from_slice(&r.simhash.to_le_bytes());
        s.extend_from_slice(&blob_off.to_le_bytes());
        s.extend_from_slice(&(r.blob.len() as u64).to_le_bytes());
        s.extend_from_slice(&hash_bytes(&r.blob, 0).to_le_bytes());
        sections[6].extend_from_slice(&r.blob);
        blob_off += r.blob.len() as u64;
    }
    // IDS.
    let mut off = 0u32;
    for r in records {
        sections[1].extend_from_slice(&off.to_le_bytes());
        off += r.id.len() as u32;
    }
    sections[1].extend_from_slice(&off.to_le_bytes());
    for r in records {
        sections[1].extend_from_slice(r.id.as_bytes());
    }
    // BANDS.
    let mut scratch = Vec::new();
    for band in 0..bands {
        let mut table: Vec<(u64, u32)> = records
            .iter()
            .zip(0u32..)
            .filter(|(r, _)| r.tokens > 0)
            .map(|(r, d)| {
                let vals = &r.signature[band * rows..(band + 1) * rows];
                (band_key(vals, band, &mut scratch), d)
            })
            .collect();
        table.sort_unstable();
        put_records12(&mut sections[2], &table);
    }
    // POSTINGS.
    let mut postings: Vec<(u64, u32)> = records
        .iter()
        .zip(0u32..)
        .flat_map(|(r, d)| r.winnowed.iter().map(move |&h| (h, d)))
        .collect();
    postings.sort_unstable();
    postings.dedup();
    put_records12(&mut sections[3], &postings);
    drop(postings);
    // BIGRAMS.
    let mut all: Vec<u64> = records
        .iter()
        .flat_map(|r| r.bigrams.iter().copied())
        .collect();
    all.sort_unstable();
    let counts: Vec<(u64, u32)> = all
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len() as u32))
        .collect();
    drop(all);
    put_records12(&mut sections[4], &counts);
    // SIGS.
    for r in records {
        for v in &r.signature {
            sections[5].extend_from_slice(&v.to_le_bytes());
        }
    }

    let mut out = Vec::new();
    frame_header(MAGIC_SEGMENT, &mut out);
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out.extend_from_slice(&u32::from(texts).to_le_bytes());
    out.extend_from_slice(&(num_perm as u32).to_le_bytes());
    out.extend_from_slice(&(bands as u32).to_le_bytes());
    out.extend_from_slice(&(rows as u32).to_le_bytes());
    out.extend_from_slice(&(SECTIONS as u32).to_le_bytes());
    let mut pos = (HEADER_LEN + BODY_HEADER) as u64;
    for s in &sections {
        out.extend_from_slice(&pos.to_le_bytes());
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(&hash_bytes(s, 0).to_le_bytes());
        pos += s.len() as u64;
    }
    for s in &sections {
        out.extend_from_slice(s);
    }
    frame_footer(&mut out);
    out
}

/// A sorted table of 12-byte records `(key: u64, doc: u32)` inside a mapped segment, searched
/// in place (binary search on the mapped bytes; nothing is copied into memory).
#[derive(Debug, Clone, Copy)]
pub struct Records<'a> {
    bytes: &'a [u8],
}

impl<'a> Records<'a> {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.bytes.len() / 12
    }

    /// True when there are no records.
    pub fn is_empty(&self) -> bool {
        self.bytes.len() < 12
    }

    /// Record `i`. Panics if `i >= len()`.
    pub fn get(&self, i: usize) -> (u64, u32) {
        let r = &self.bytes[i * 12..i * 12 + 12];
        (
            u64::from_le_bytes(r[..8].try_into().expect("8")),
            u32::from_le_bytes(r[8..].try_into().expect("4")),
        )
    }

    fn key(&self, i: usize) -> u64 {
        u64::from_le_bytes(self.bytes[i * 12..i * 12 + 8].try_into().expect("8"))
    }

    /// First index whose key is not less than `key` (the table is sorted by key).
    fn lower_bound(&self, key: u64) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.key(mid) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The records whose key is `key`.
    pub fn range(&self, key: u64) -> Records<'a> {
        let lo = self.lower_bound(key);
        let mut hi = lo;
        while hi < self.len() && self.key(hi) == key {
            hi += 1;
        }
        Records {
            bytes: &self.bytes[lo * 12..hi * 12],
        }
    }

    /// Every record, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u32)> + 'a {
        let bytes = self.bytes;
        bytes.chunks_exact(12).map(|r| {
            (
                u64::from_le_bytes(r[..8].try_into().expect("8")),
                u32::from_le_bytes(r[8..].try_into().expect("4")),
            )
        })
    }
}

/// Fixed fields of one document.
#[derive(Debug, Clone, Copy)]
pub struct DocEntry {
    /// Token count.
    pub tokens: u32,
    /// Distinct shingles.
    pub shingles: u32,
    /// Content hash.
    pub content_hash: u64,
    /// SimHash.
    pub simhash: u64,
    blob_off: u64,
    blob_len: u64,
    blob_hash: u64,
}

impl DocEntry {
    fn decode(rec: &[u8]) -> DocEntry {
        let u32_at = |i: usize| u32::from_le_bytes(rec[i..i + 4].try_into().expect("4"));
        let u64_at = |i: usize| u64::from_le_bytes(rec[i..i + 8].try_into().expect("8"));
        DocEntry {
            tokens: u32_at(0),
            shingles: u32_at(4),
            content_hash: u64_at(8),
            simhash: u64_at(16),
            blob_off: u64_at(24),
            blob_len: u64_at(32),
            blob_hash: u64_at(40),
        }
    }
}

/// An open segment: the file memory-mapped, with the byte ranges of its sections.
///
/// Nothing proportional to the segment is copied into memory: tables are binary-searched in
/// the mapping, so a reader's resident memory is the pages its lookups touch (the kernel
/// shares and evicts them as page cache), not the index size.
#[derive(Debug)]
pub struct Segment {
    /// The file.
    pub path: PathBuf,
    map: Mmap,
    /// File size in bytes.
    pub size: u64,
    /// Whether blobs hold texts.
    pub texts: bool,
    /// Values per signature.
    pub num_perm: usize,
    /// Bands and rows of the band tables.
    pub banding: (usize, usize),
    n: usize,
    docs: Range<usize>,
    id_offsets: Range<usize>,
    id_text: Range<usize>,
    bands: Range<usize>,
    postings: Range<usize>,
    bigrams: Range<usize>,
    sigs: Range<usize>,
    blobs: Range<usize>,
    sections: Vec<(u64, u64, u64)>,
}

fn read_at(file: &File, path: &Path, offset: u64, len: u64) -> Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let len = usize::try_from(len).map_err(|_| corrupt(path, "section too large"))?;
    let mut buf = vec![0u8; len];
    file.read_exact_at(&mut buf, offset).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            corrupt(path, "file is shorter than its section table says")
        } else {
            Error::Read {
                path: path.to_path_buf(),
                source: e,
            }
        }
    })?;
    Ok(buf)
}

/// Bytes per positioned read when a section is checked at open: a multiple of both record
/// sizes (12 and 48), so records never straddle two reads.
const CHECK_CHUNK: u64 = 12 * 48 * 2048;

/// Streams section `(off, len, sum)` of `file` through `each` in [`CHECK_CHUNK`] pieces with
/// positioned reads (which fill the page cache, not this process's resident memory) and checks
/// its checksum.
fn check_section(
    file: &File,
    path: &Path,
    i: usize,
    (off, len, sum): (u64, u64, u64),
    mut each: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::with_seed(0);
    let mut done = 0u64;
    while done < len {
        let piece = read_at(file, path, off + done, CHECK_CHUNK.min(len - done))?;
        hasher.update(&piece);
        each(&piece)?;
        done += piece.len() as u64;
    }
    if hasher.digest() != sum {
        return Err(corrupt(path, format!("checksum mismatch in section {i}")));
    }
    Ok(())
}

impl Segment {
    /// Opens `path`: cheap frame checks, section table bounds, then one streaming pass over
    /// the sections searched in place (document table, ids, band tables, postings, bigram
    /// counts) checking their checksums and that every offset and document number they hold is
    /// in range. Signatures and blobs are checked when read (each blob has its own checksum)
    /// and by [`Segment::verify`].
    pub fn open(path: &Path) -> Result<Segment> {
        let file = File::open(path).map_err(|e| Error::Read {
            path: path.to_path_buf(),
            source: e,
        })?;
        let size = file
            .metadata()
            .map_err(|e| Error::Read {
                path: path.to_path_buf(),
                source: e,
            })?
            .len();
        let head_len = (HEADER_LEN + BODY_HEADER) as u64;
        let head = read_at(&file, path, 0, head_len.min(size))?;
        let tail = read_at(
            &file,
            path,
            size.saturating_sub(FOOTER_LEN as u64),
            size.min(FOOTER_LEN as u64),
        )?;
        check_frame(path, MAGIC_SEGMENT, &head, &tail, size)?;
        let mut c = Cursor::new(&head[HEADER_LEN.min(head.len())..], path);
        let n = c.u32("document count")? as usize;
        let flags = c.u32("flags")?;
        let num_perm = c.u32("num_perm")? as usize;
        let bands = c.u32("bands")? as usize;
        let rows = c.u32("rows")? as usize;
        let count = c.u32("section count")? as usize;
        if count != SECTIONS || flags > 1 {
            return Err(corrupt(
                path,
                format!("bad segment header (sections {count}, flags {flags})"),
            ));
        }
        let body_end = size - FOOTER_LEN as u64;
        let mut sections = Vec::with_capacity(SECTIONS);
        for i in 0..SECTIONS {
            let (off, len, sum) = (c.u64("section")?, c.u64("section")?, c.u64("section")?);
            let end = off.checked_add(len);
            if off < head_len || end.is_none_or(|e| e > body_end) {
                return Err(corrupt(path, format!("section {i} lies outside the file")));
            }
            sections.push((off, len, sum));
        }
        // Section bounds are within the file, which is mapped whole, so they fit in usize.
        let span = |i: usize| -> Range<usize> {
            let (off, len, _) = sections[i];
            off as usize..(off + len) as usize
        };
        if Some(sections[0].1) != (n as u64).checked_mul(DOC_RECORD as u64) {
            return Err(corrupt(path, "document table has the wrong length"));
        }
        let blob_len = sections[6].1;
        check_section(&file, path, 0, sections[0], |piece| {
            for rec in piece.chunks_exact(DOC_RECORD) {
                let e = DocEntry::decode(rec);
                if e.blob_off
                    .checked_add(e.blob_len)
                    .is_none_or(|end| end > blob_len)
                {
                    return Err(corrupt(
                        path,
                        "a document's blob lies outside the blob section",
                    ));
                }
            }
            Ok(())
        })?;
        // Ids: n + 1 ascending offsets, then the id bytes; every id valid UTF-8.
        let ids = read_at(&file, path, sections[1].0, sections[1].1)?;
        if hash_bytes(&ids, 0) != sections[1].2 {
            return Err(corrupt(path, "checksum mismatch in section 1"));
        }
        let offsets_len = (n + 1) * 4;
        if ids.len() < offsets_len {
            return Err(corrupt(path, "id section is shorter than its offsets"));
        }
        let (offs, text) = ids.split_at(offsets_len);
        let off_at = |i: usize| u32::from_le_bytes(offs[i * 4..i * 4 + 4].try_into().expect("4"));
        for i in 0..n {
            let (a, b) = (off_at(i) as usize, off_at(i + 1) as usize);
            if text
                .get(a..b)
                .and_then(|s| std::str::from_utf8(s).ok())
                .is_none()
            {
                return Err(corrupt(
                    path,
                    "an id lies outside the id section or is not UTF-8",
                ));
            }
        }
        drop(ids);
        let in_range = |piece: &[u8], what: &str| -> Result<()> {
            if piece.len() % 12 != 0 {
                return Err(corrupt(
                    path,
                    format!("{what}: length is not a multiple of 12"),
                ));
            }
            let bad = piece
                .chunks_exact(12)
                .any(|r| u32::from_le_bytes(r[8..].try_into().expect("4")) as usize >= n);
            if bad {
                return Err(corrupt(
                    path,
                    format!("{what} names a document out of range"),
                ));
            }
            Ok(())
        };
        if bands == 0
            || sections[2].1 % 12 != 0
            || (sections[2].1 / 12) % bands as u64 != 0
            || rows.checked_mul(bands).is_none_or(|x| x > num_perm)
        {
            return Err(corrupt(path, "band tables do not match the banding"));
        }
        check_section(&file, path, 2, sections[2], |p| in_range(p, "a band table"))?;
        check_section(&file, path, 3, sections[3], |p| in_range(p, "the postings"))?;
        check_section(&file, path, 4, sections[4], |p| {
            if p.len() % 12 != 0 {
                return Err(corrupt(
                    path,
                    "bigram counts: length is not a multiple of 12",
                ));
            }
            Ok(())
        })?;
        if Some(sections[5].1) != (n as u64).checked_mul(num_perm as u64 * 4) {
            return Err(corrupt(path, "signature section has the wrong length"));
        }
        // SAFETY: segment files are immutable once the manifest names them (writers create new
        // files and never modify or truncate a committed one), so the mapping does not change
        // under us; every read through it is bounds-checked against the sizes checked above.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::Read {
            path: path.to_path_buf(),
            source: e,
        })?;
        if map.len() as u64 != size {
            return Err(corrupt(path, "file changed size while being opened"));
        }
        let ids = span(1);
        Ok(Segment {
            path: path.to_path_buf(),
            map,
            size,
            texts: flags & 1 == 1,
            num_perm,
            banding: (bands, rows),
            n,
            docs: span(0),
            id_offsets: ids.start..ids.start + offsets_len,
            id_text: ids.start + offsets_len..ids.end,
            bands: span(2),
            postings: span(3),
            bigrams: span(4),
            sigs: span(5),
            blobs: span(6),
            sections,
        })
    }

    /// Document count.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when the segment holds no documents.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The fixed fields of document `d`. Panics if `d >= len()`.
    pub fn doc(&self, d: u32) -> DocEntry {
        let at = self.docs.start + d as usize * DOC_RECORD;
        DocEntry::decode(&self.map[at..at + DOC_RECORD])
    }

    /// Every document's fixed fields, in order.
    pub fn docs(&self) -> impl Iterator<Item = DocEntry> + '_ {
        self.map[self.docs.clone()]
            .chunks_exact(DOC_RECORD)
            .map(DocEntry::decode)
    }

    /// The id of document `d` (checked to be UTF-8 when the segment was opened). Panics if
    /// `d >= len()`.
    pub fn id(&self, d: u32) -> &str {
        let offs = &self.map[self.id_offsets.clone()];
        let at = |i: usize| u32::from_le_bytes(offs[i * 4..i * 4 + 4].try_into().expect("4"));
        let (a, b) = (at(d as usize) as usize, at(d as usize + 1) as usize);
        std::str::from_utf8(&self.map[self.id_text.clone()][a..b]).unwrap_or("")
    }

    /// Every id, in document order (sorted).
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.n as u32).map(|d| self.id(d))
    }

    /// The document with id `id`, if the segment holds one (ids are sorted: binary search).
    pub fn find(&self, id: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0u32, self.n as u32);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.id(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Band table `band`, sorted by key. Panics if `band` is not below the band count.
    pub fn band(&self, band: usize) -> Records<'_> {
        let per = (self.bands.end - self.bands.start) / self.banding.0;
        let start = self.bands.start + band * per;
        Records {
            bytes: &self.map[start..start + per],
        }
    }

    /// Winnowed postings `(fingerprint, doc)`, sorted.
    pub fn postings(&self) -> Records<'_> {
        Records {
            bytes: &self.map[self.postings.clone()],
        }
    }

    /// Bigram document counts `(bigram, count)`, sorted.
    pub fn bigram_counts(&self) -> Records<'_> {
        Records {
            bytes: &self.map[self.bigrams.clone()],
        }
    }

    /// The MinHash signature of document `d`.
    pub fn signature(&self, d: u32) -> Result<Vec<u32>> {
        let k = self.num_perm * 4;
        let start = self.sigs.start + d as usize * k;
        let bytes = self
            .map
            .get(start..start + k)
            .filter(|_| start + k <= self.sigs.end)
            .ok_or_else(|| corrupt(&self.path, "a signature lies outside its section"))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4")))
            .collect())
    }

    /// The raw blob of document `d`, checked against its checksum.
    pub fn raw_blob(&self, d: u32) -> Result<&[u8]> {
        let e = self.doc(d);
        // In range: checked against the blob section's length at open.
        let start = self.blobs.start + e.blob_off as usize;
        let bytes = &self.map[start..start + e.blob_len as usize];
        if hash_bytes(bytes, 0) != e.blob_hash {
            return Err(corrupt(
                &self.path,
                format!("checksum mismatch in the data of document {:?}", self.id(d)),
            ));
        }
        Ok(bytes)
    }

    /// Document `d`'s blob, decoded.
    pub fn blob(&self, d: u32) -> Result<Blob> {
        let bytes = self.raw_blob(d)?;
        let path = &self.path;
        let mut c = Cursor::new(bytes, path);
        let meta_len = c.u32("metadata length")? as usize;
        let meta: Meta = serde_json::from_slice(c.take(meta_len, "metadata")?)
            .map_err(|e| corrupt(path, format!("bad metadata JSON: {e}")))?;
        if self.texts {
            let z = c.take(c.remaining(), "text")?;
            let mut text = String::new();
            zstd::stream::read::Decoder::new(z)
                .and_then(|mut d| d.read_to_string(&mut text))
                .map_err(|e| corrupt(path, format!("cannot decompress a text: {e}")))?;
            Ok(Blob {
                meta,
                text: Some(text),
                shingle_seq: Vec::new(),
                bigrams: Vec::new(),
            })
        } else {
            let n = c.u32("shingle count")? as usize;
            let shingle_seq = c.u64s(n, "shingles")?;
            let m = c.u32("bigram count")? as usize;
            let bigrams = c.u64s(m, "bigrams")?;
            Ok(Blob {
                meta,
                text: None,
                shingle_seq,
                bigrams,
            })
        }
    }

    /// The token view of document `d` (from its text, or from the stored shingle data).
    pub fn view(&self, d: u32, profiler: &Profiler) -> Result<(TokenView, Blob)> {
        let blob = self.blob(d)?;
        let e = self.doc(d);
        let view = match &blob.text {
            Some(t) => profiler.view(t),
            None => {
                let mut set = blob.shingle_seq.clone();
                set.sort_unstable();
                set.dedup();
                TokenView {
                    // Only the count of tokens is used when verifying.
                    tokens: vec![
                        Token {
                            start: 0,
                            end: 0,
                            hash: 0
                        };
                        e.tokens as usize
                    ],
                    shingle_seq: blob.shingle_seq.clone(),
                    shingle_set: set,
                    bigram_set: blob.bigrams.clone(),
                    content_hash: e.content_hash,
                }
            }
        };
        Ok((view, blob))
    }

    /// The distinct winnowed fingerprints of each document (inverted from the postings).
    pub fn winnowed_by_doc(&self) -> Vec<Vec<u64>> {
        let mut out = vec![Vec::new(); self.n];
        for (h, d) in self.postings().iter() {
            out[d as usize].push(h);
        }
        for v in &mut out {
            v.sort_unstable();
        }
        out
    }

    /// Full verification: the whole-file checksum, every section checksum, and every blob
    /// decodes. Returns the number of documents checked.
    pub fn verify(&self) -> Result<usize> {
        let bytes: &[u8] = &self.map;
        super::format::unframe(&self.path, MAGIC_SEGMENT, bytes)?;
        for (i, &(off, len, sum)) in self.sections.iter().enumerate() {
            let s = usize::try_from(off)
                .ok()
                .zip(usize::try_from(off.saturating_add(len)).ok())
                .and_then(|(a, b)| bytes.get(a..b))
                .ok_or_else(|| corrupt(&self.path, format!("section {i} lies outside the file")))?;
            if hash_bytes(s, 0) != sum {
                return Err(corrupt(
                    &self.path,
                    format!("checksum mismatch in section {i}"),
                ));
            }
        }
        for d in 0..self.n as u32 {
            self.blob(d)?;
        }
        Ok(self.n)
    }
}
