//! One immutable segment file: writing it from [`DocRecord`]s, opening it (cheap checks plus
//! one streaming pass checking the checksums, ranges and order of the sections searched on
//! disk), reading one document's blob or signature on demand, and full verification. The byte
//! layout is in [`super::format`].
//!
//! A reader keeps about 1% of a segment in memory (see [`Segment`]): SimHashes and table
//! fences. Lookups read one block of a sorted table with a positioned read; blobs (metadata,
//! compressed texts or shingle sequences) and signatures are read when a candidate needs them,
//! each blob checked against its own checksum.
//!
//! Tombstones are not here: a segment never changes; deletes live in delete files.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use bitvec::prelude::{BitVec, Lsb0};

use crate::candidates::lsh::band_key;
use crate::config::Banding;
use crate::corpus::Meta;
use crate::error::{Error, Result};
use crate::hash::hash_bytes;
use crate::profile::{Profile, Profiler, TokenView};
use crate::text::Token;

use super::format::{
    check_frame, corrupt, frame_header, put_records12, Cursor, FOOTER_LEN, HEADER_LEN,
    MAGIC_SEGMENT,
};

/// Sections this build writes; segments written before bigram postings have 7 (no section 7).
const SECTIONS: usize = 8;
/// Sections of a segment written before bigram postings.
const SECTIONS_WITHOUT_BIGRAM_POSTINGS: usize = 7;
const DOC_RECORD: usize = 48;
/// Body header bytes of a segment with `sections` sections.
const fn body_header(sections: usize) -> usize {
    24 + sections * 24
}

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
    /// Without texts: the word count (absent in indexes written before it was stored, which
    /// hold word shingles only: then the token count).
    pub words: Option<u32>,
    /// Without texts: the numbers, sorted (empty in indexes written before they were stored,
    /// so the numbers rule does not apply to their documents).
    pub numbers: Vec<u64>,
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
            blob.extend_from_slice(&(view.words as u32).to_le_bytes());
            blob.extend_from_slice(&(view.numbers.len() as u32).to_le_bytes());
            for h in &view.numbers {
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
    encode_parts(records, num_perm, bands, rows, texts, usize::MAX).concat()
}

/// [`encode`] as the consecutive parts of the file (header, sections, footer), so a writer
/// can write them one after the other without holding a second copy of the whole segment.
/// Bigram postings are kept for the bigrams in at most `postings_max_df` documents of the
/// segment ([`encode`]: all): only those can be rare in any union holding the segment.
pub fn encode_parts(
    records: &[DocRecord],
    num_perm: usize,
    bands: usize,
    rows: usize,
    texts: bool,
    postings_max_df: usize,
) -> Vec<Vec<u8>> {
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
    drop(counts);
    // BIGRAM POSTINGS: which documents hold each bigram found in at most `postings_max_df`
    // of them, for rewrite candidates against the index.
    let mut bigram_postings: Vec<(u64, u32)> = records
        .iter()
        .zip(0u32..)
        .flat_map(|(r, d)| r.bigrams.iter().map(move |&h| (h, d)))
        .collect();
    bigram_postings.sort_unstable();
    bigram_postings.dedup();
    let rare: Vec<(u64, u32)> = bigram_postings
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() <= postings_max_df)
        .flatten()
        .copied()
        .collect();
    drop(bigram_postings);
    put_records12(&mut sections[7], &rare);
    drop(rare);
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
    let mut pos = (HEADER_LEN + body_header(SECTIONS)) as u64;
    for s in &sections {
        out.extend_from_slice(&pos.to_le_bytes());
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(&hash_bytes(s, 0).to_le_bytes());
        pos += s.len() as u64;
    }
    // The footer: body length and the checksum of everything before it (as `frame_footer`).
    let body_len: u64 =
        (out.len() - HEADER_LEN) as u64 + sections.iter().map(|s| s.len() as u64).sum::<u64>();
    let mut hasher = xxhash_rust::xxh3::Xxh3::with_seed(0);
    hasher.update(&out);
    for s in &sections {
        hasher.update(s);
    }
    hasher.update(&body_len.to_le_bytes());
    let mut footer = body_len.to_le_bytes().to_vec();
    footer.extend_from_slice(&hasher.digest().to_le_bytes());
    let mut parts = Vec::with_capacity(SECTIONS + 2);
    parts.push(out);
    parts.extend(sections);
    parts.push(footer);
    parts
}

/// Records per block of a sorted table: a lookup reads one block (3 KiB) with one positioned
/// read, found through the in-memory fences (the first key of every block).
const BLOCK: usize = 256;

/// A sorted table of 12-byte records `(key: u64, doc: u32)` inside a segment file, searched on
/// disk: the first key of every 256 records (its fences, 1/384 of the table) is kept in
/// memory, so a lookup is a binary search in memory plus one positioned read of one block.
#[derive(Debug, Clone, Copy)]
pub struct Table<'a> {
    seg: &'a Segment,
    start: u64,
    len: usize,
    fences: &'a [u64],
}

fn decode12(r: &[u8]) -> (u64, u32) {
    (
        u64::from_le_bytes(r[..8].try_into().expect("8")),
        u32::from_le_bytes(r[8..12].try_into().expect("4")),
    )
}

impl Table<'_> {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Records `from..to`, read from the file.
    fn read(&self, from: usize, to: usize) -> Result<Vec<(u64, u32)>> {
        let bytes = read_at(
            &self.seg.file,
            &self.seg.path,
            self.start + from as u64 * 12,
            (to - from) as u64 * 12,
        )?;
        Ok(bytes.chunks_exact(12).map(decode12).collect())
    }

    /// The records whose key is `key`, in table order.
    pub fn range(&self, key: u64) -> Result<Vec<(u64, u32)>> {
        // Every block before `first` starts below `key`; the block starting at `first` (if
        // any) starts at or above it, so matches begin in block `first - 1` or at `first`.
        let first = self.fences.partition_point(|&f| f < key);
        let mut block = first.saturating_sub(1);
        let mut out = Vec::new();
        loop {
            let from = block * BLOCK;
            if from >= self.len {
                return Ok(out);
            }
            let to = (from + BLOCK).min(self.len);
            let recs = self.read(from, to)?;
            let lo = recs.partition_point(|r| r.0 < key);
            let hi = lo + recs[lo..].partition_point(|r| r.0 == key);
            out.extend_from_slice(&recs[lo..hi]);
            // A run of equal keys may go on into the next block.
            if hi < recs.len() || self.fences.get(block + 1) != Some(&key) {
                return Ok(out);
            }
            block += 1;
        }
    }

    /// Calls `each` on every record, in order (read about 1 MiB at a time).
    pub fn for_each(&self, mut each: impl FnMut(u64, u32)) -> Result<()> {
        let per = CHECK_CHUNK as usize / 12;
        let mut from = 0;
        while from < self.len {
            let to = (from + per).min(self.len);
            for (k, d) in self.read(from, to)? {
                each(k, d);
            }
            from = to;
        }
        Ok(())
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

/// An open segment: the file, the section offsets, and the little kept in memory.
///
/// In memory: each document's SimHash (8 bytes) and whether it has tokens (1 bit), which the
/// linear SimHash search reads for every query, and the fences of the sorted tables (8 bytes
/// per 256 records). Everything else (document table, ids, band tables, postings, bigram
/// counts, signatures, blobs) is read with positioned reads when needed, so a reader's memory
/// is about 1% of the segment, and the operating system's page cache, shared by every
/// reader, holds the hot parts of the file.
///
/// Why not a memory map: on kernels whose page cache uses large folios (Linux 6.x on ext4), a
/// fault maps a whole folio of up to 2 MiB into the process, so the random probes of a single
/// query against a 1M-document index mapped 930 MiB (measured); positioned reads of one
/// 3 KiB block per lookup keep the resident set flat.
#[derive(Debug)]
pub struct Segment {
    /// The file.
    pub path: PathBuf,
    file: File,
    /// File size in bytes.
    pub size: u64,
    /// Whether blobs hold texts.
    pub texts: bool,
    /// Values per signature.
    pub num_perm: usize,
    /// Bands and rows of the band tables.
    pub banding: Banding,
    n: usize,
    simhashes: Vec<u64>,
    no_tokens: BitVec<u64, Lsb0>,
    band_len: usize,
    band_fences: Vec<Vec<u64>>,
    posting_fences: Vec<u64>,
    bigram_fences: Vec<u64>,
    /// Fences of the bigram postings (`None`: a segment written before them).
    bigram_posting_fences: Option<Vec<u64>>,
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

/// Streams section `(off, len, sum)` of `file` through `each` in [`CHECK_CHUNK`] pieces and
/// checks its checksum.
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

/// Checks a table section (records in range of `n` documents, keys sorted within each table
/// of `per` records; `usize::MAX` for one table) and collects its fences: the first key of every [`BLOCK`] records of each
/// table.
fn check_table(
    file: &File,
    path: &Path,
    i: usize,
    section: (u64, u64, u64),
    n: Option<usize>,
    per: usize,
    what: &str,
) -> Result<Vec<Vec<u64>>> {
    if section.1 % 12 != 0 {
        return Err(corrupt(
            path,
            format!("{what}: length is not a multiple of 12"),
        ));
    }
    let mut fences: Vec<Vec<u64>> = Vec::new();
    let (mut index, mut prev) = (0usize, 0u64);
    check_section(file, path, i, section, |piece| {
        for r in piece.chunks_exact(12) {
            let (key, doc) = decode12(r);
            if n.is_some_and(|n| doc as usize >= n) {
                return Err(corrupt(
                    path,
                    format!("{what} names a document out of range"),
                ));
            }
            let local = index % per.max(1);
            if local == 0 {
                fences.push(Vec::new());
            } else if key < prev {
                return Err(corrupt(path, format!("{what} is not sorted")));
            }
            if local % BLOCK == 0 {
                fences.last_mut().expect("pushed").push(key);
            }
            prev = key;
            index += 1;
        }
        Ok(())
    })?;
    Ok(fences)
}

impl Segment {
    /// Opens `path`: cheap frame checks, section table bounds, then one streaming pass over
    /// the sections searched on disk (document table, ids, band tables, postings, bigram
    /// counts) checking their checksums, that every offset and document number is in range
    /// and that tables are sorted, and collecting what stays in memory. Signatures and blobs
    /// are checked when read (each blob has its own checksum) and by [`Segment::verify`].
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
        let longest_head = (HEADER_LEN + body_header(SECTIONS)) as u64;
        let head = read_at(&file, path, 0, longest_head.min(size))?;
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
        if !(count == SECTIONS || count == SECTIONS_WITHOUT_BIGRAM_POSTINGS) || flags > 1 {
            return Err(corrupt(
                path,
                format!("bad segment header (sections {count}, flags {flags})"),
            ));
        }
        let head_len = (HEADER_LEN + body_header(count)) as u64;
        let body_end = size - FOOTER_LEN as u64;
        let mut sections = Vec::with_capacity(count);
        for i in 0..count {
            let (off, len, sum) = (c.u64("section")?, c.u64("section")?, c.u64("section")?);
            let end = off.checked_add(len);
            if off < head_len || end.is_none_or(|e| e > body_end) {
                return Err(corrupt(path, format!("section {i} lies outside the file")));
            }
            sections.push((off, len, sum));
        }
        if Some(sections[0].1) != (n as u64).checked_mul(DOC_RECORD as u64) {
            return Err(corrupt(path, "document table has the wrong length"));
        }
        let blob_len = sections[6].1;
        let mut simhashes = Vec::with_capacity(n);
        let mut no_tokens = BitVec::with_capacity(n);
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
                simhashes.push(e.simhash);
                no_tokens.push(e.tokens == 0);
            }
            Ok(())
        })?;
        // Ids: n + 1 offsets, then the id bytes; every id valid UTF-8.
        read_ids(&file, path, sections[1], n)?;
        if bands == 0
            || sections[2].1 % 12 != 0
            || (sections[2].1 / 12) % bands as u64 != 0
            || rows.checked_mul(bands).is_none_or(|x| x > num_perm)
        {
            return Err(corrupt(path, "band tables do not match the banding"));
        }
        let band_len = (sections[2].1 / 12 / bands as u64) as usize;
        let mut band_fences = check_table(
            &file,
            path,
            2,
            sections[2],
            Some(n),
            band_len,
            "a band table",
        )?;
        band_fences.resize(bands, Vec::new());
        let posting_fences = check_table(
            &file,
            path,
            3,
            sections[3],
            Some(n),
            usize::MAX,
            "the postings",
        )?
        .pop()
        .unwrap_or_default();
        let bigram_fences = check_table(
            &file,
            path,
            4,
            sections[4],
            None,
            usize::MAX,
            "bigram counts",
        )?
        .pop()
        .unwrap_or_default();
        let bigram_posting_fences = match sections.get(7) {
            Some(&section) => Some(
                check_table(
                    &file,
                    path,
                    7,
                    section,
                    Some(n),
                    usize::MAX,
                    "the bigram postings",
                )?
                .pop()
                .unwrap_or_default(),
            ),
            None => None,
        };
        if Some(sections[5].1) != (n as u64).checked_mul(num_perm as u64 * 4) {
            return Err(corrupt(path, "signature section has the wrong length"));
        }
        Ok(Segment {
            path: path.to_path_buf(),
            file,
            size,
            texts: flags & 1 == 1,
            num_perm,
            banding: Banding { bands, rows },
            n,
            simhashes,
            no_tokens,
            band_len,
            band_fences,
            posting_fences,
            bigram_fences,
            bigram_posting_fences,
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

    /// Each document's SimHash, in document order.
    pub fn simhashes(&self) -> &[u64] {
        &self.simhashes
    }

    /// True when document `d` has no tokens (it takes part in no candidate search).
    pub fn has_no_tokens(&self, d: u32) -> bool {
        self.no_tokens[d as usize]
    }

    /// The fixed fields of document `d`. Panics if `d >= len()`.
    pub fn doc(&self, d: u32) -> Result<DocEntry> {
        assert!((d as usize) < self.n, "document {d} out of range");
        let at = self.sections[0].0 + u64::from(d) * DOC_RECORD as u64;
        Ok(DocEntry::decode(&read_at(
            &self.file,
            &self.path,
            at,
            DOC_RECORD as u64,
        )?))
    }

    /// The id of document `d`. Panics if `d >= len()`.
    pub fn id(&self, d: u32) -> Result<String> {
        assert!((d as usize) < self.n, "document {d} out of range");
        let (off, len, _) = self.sections[1];
        let offs = read_at(&self.file, &self.path, off + u64::from(d) * 4, 8)?;
        let a = u64::from(u32::from_le_bytes(offs[..4].try_into().expect("4")));
        let b = u64::from(u32::from_le_bytes(offs[4..].try_into().expect("4")));
        let text = off + (self.n as u64 + 1) * 4;
        if a > b || text + b > off + len {
            return Err(corrupt(&self.path, "an id lies outside the id section"));
        }
        let bytes = read_at(&self.file, &self.path, text + a, b - a)?;
        String::from_utf8(bytes).map_err(|_| corrupt(&self.path, "an id is not UTF-8"))
    }

    /// Every id, in document order (sorted).
    pub fn ids(&self) -> Result<Vec<String>> {
        read_ids(&self.file, &self.path, self.sections[1], self.n)
    }

    /// The document with id `id`, if the segment holds one (ids are sorted: binary search).
    pub fn find(&self, id: &str) -> Result<Option<u32>> {
        let (mut lo, mut hi) = (0u32, self.n as u32);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.id(mid)?.as_str().cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(Some(mid)),
            }
        }
        Ok(None)
    }

    /// Band table `band`, sorted by key. Panics if `band` is not below the band count.
    pub fn band(&self, band: usize) -> Table<'_> {
        Table {
            seg: self,
            start: self.sections[2].0 + (band * self.band_len) as u64 * 12,
            len: self.band_len,
            fences: &self.band_fences[band],
        }
    }

    /// Winnowed postings `(fingerprint, doc)`, sorted.
    pub fn postings(&self) -> Table<'_> {
        Table {
            seg: self,
            start: self.sections[3].0,
            len: (self.sections[3].1 / 12) as usize,
            fences: &self.posting_fences,
        }
    }

    /// Bigram document counts `(bigram, count)`, sorted.
    pub fn bigram_counts(&self) -> Table<'_> {
        Table {
            seg: self,
            start: self.sections[4].0,
            len: (self.sections[4].1 / 12) as usize,
            fences: &self.bigram_fences,
        }
    }

    /// Bigram postings `(bigram, doc)`, sorted: the documents holding each word bigram found
    /// in at most the manifest's `bigram_postings_max_df` documents of the segment (a bigram
    /// left out has a count above it in [`Segment::bigram_counts`]). `None` in a segment
    /// written before they were stored.
    pub fn bigram_postings(&self) -> Option<Table<'_>> {
        Some(Table {
            seg: self,
            start: self.sections.get(7)?.0,
            len: (self.sections[7].1 / 12) as usize,
            fences: self.bigram_posting_fences.as_deref()?,
        })
    }

    /// The MinHash signature of document `d`.
    pub fn signature(&self, d: u32) -> Result<Vec<u32>> {
        let k = self.num_perm as u64 * 4;
        let bytes = read_at(
            &self.file,
            &self.path,
            self.sections[5].0 + u64::from(d) * k,
            k,
        )?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4")))
            .collect())
    }

    /// The raw blob of document `d`, checked against its checksum.
    pub fn raw_blob(&self, d: u32) -> Result<Vec<u8>> {
        let e = self.doc(d)?;
        if e.blob_off
            .checked_add(e.blob_len)
            .is_none_or(|end| end > self.sections[6].1)
        {
            return Err(corrupt(
                &self.path,
                "a document's blob lies outside the blob section",
            ));
        }
        let bytes = read_at(
            &self.file,
            &self.path,
            self.sections[6].0 + e.blob_off,
            e.blob_len,
        )?;
        if hash_bytes(&bytes, 0) != e.blob_hash {
            return Err(corrupt(
                &self.path,
                format!(
                    "checksum mismatch in the data of document {:?}",
                    self.id(d).unwrap_or_default()
                ),
            ));
        }
        Ok(bytes)
    }

    /// Document `d`'s blob, decoded.
    pub fn blob(&self, d: u32) -> Result<Blob> {
        let bytes = self.raw_blob(d)?;
        let path = &self.path;
        let mut c = Cursor::new(&bytes, path);
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
                words: None,
                numbers: Vec::new(),
            })
        } else {
            let n = c.u32("shingle count")? as usize;
            let shingle_seq = c.u64s(n, "shingles")?;
            let m = c.u32("bigram count")? as usize;
            let bigrams = c.u64s(m, "bigrams")?;
            let words = if c.remaining() > 0 {
                Some(c.u32("word count")?)
            } else {
                None
            };
            let numbers = if c.remaining() > 0 {
                let f = c.u32("number count")? as usize;
                c.u64s(f, "numbers")?
            } else {
                Vec::new()
            };
            Ok(Blob {
                meta,
                text: None,
                shingle_seq,
                bigrams,
                words,
                numbers,
            })
        }
    }

    /// The token view of document `d` (from its text, or from the stored shingle data).
    pub fn view(&self, d: u32, profiler: &Profiler) -> Result<(TokenView, Blob)> {
        let blob = self.blob(d)?;
        let e = self.doc(d)?;
        let view = match &blob.text {
            Some(t) => profiler.view(t),
            None => {
                // The stored shingle sequence fixes the token count (see `shingle_hashes`):
                // none for no tokens, one for fewer than k, else tokens - k + 1. Checked before
                // the count sizes the token vector, so a corrupt count is an error, not a
                // request for gigabytes.
                let k = profiler.params().shingle.k.max(1);
                let expected = match e.tokens as usize {
                    0 => 0,
                    t if t < k => 1,
                    t => t - k + 1,
                };
                if blob.shingle_seq.len() != expected {
                    return Err(corrupt(
                        &self.path,
                        format!(
                            "document {d} has {} tokens but {} stored shingles",
                            e.tokens,
                            blob.shingle_seq.len()
                        ),
                    ));
                }
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
                    words: blob.words.unwrap_or(e.tokens) as usize,
                    bigram_weights: Vec::new(),
                    content_hash: e.content_hash,
                    boilerplate: Vec::new(),
                    numbers: blob.numbers.clone(),
                }
            }
        };
        Ok((view, blob))
    }

    /// The distinct winnowed fingerprints of each document (inverted from the postings).
    pub fn winnowed_by_doc(&self) -> Result<Vec<Vec<u64>>> {
        let mut out = vec![Vec::new(); self.n];
        self.postings().for_each(|h, d| out[d as usize].push(h))?;
        for v in &mut out {
            v.sort_unstable();
        }
        Ok(out)
    }

    /// The footer checksum of the whole file.
    pub fn checksum(&self) -> Result<u64> {
        let bytes = read_at(&self.file, &self.path, self.size - 8, 8)?;
        Ok(u64::from_le_bytes(bytes.try_into().expect("8")))
    }

    /// Full verification: the whole-file checksum, every section checksum, and every blob
    /// decodes. Returns the number of documents checked.
    pub fn verify(&self) -> Result<usize> {
        let bytes = std::fs::read(&self.path).map_err(|e| Error::Read {
            path: self.path.clone(),
            source: e,
        })?;
        super::format::unframe(&self.path, MAGIC_SEGMENT, &bytes)?;
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
        drop(bytes);
        for d in 0..self.n as u32 {
            self.blob(d)?;
        }
        Ok(self.n)
    }
}

/// Reads and checks the id section: its checksum, `n + 1` offsets in range, UTF-8 ids.
fn read_ids(file: &File, path: &Path, section: (u64, u64, u64), n: usize) -> Result<Vec<String>> {
    let bytes = read_at(file, path, section.0, section.1)?;
    if hash_bytes(&bytes, 0) != section.2 {
        return Err(corrupt(path, "checksum mismatch in section 1"));
    }
    let mut c = Cursor::new(&bytes, path);
    let offs: Vec<u32> = (0..=n)
        .map(|_| c.u32("id offsets"))
        .collect::<Result<_>>()?;
    let text = c.take(c.remaining(), "ids")?;
    offs.windows(2)
        .map(|w| {
            text.get(w[0] as usize..w[1] as usize)
                .and_then(|s| std::str::from_utf8(s).ok())
                .map(str::to_string)
                .ok_or_else(|| corrupt(path, "an id lies outside the id section or is not UTF-8"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A segment file whose postings table is exactly `keys` (sorted), written to a temp file.
    fn segment_with_postings(keys: &[u64], name: &str) -> Segment {
        let docs = keys.len().max(1);
        let records: Vec<DocRecord> = (0..docs)
            .map(|i| DocRecord {
                id: format!("d{i:06}"),
                tokens: 1,
                shingles: 1,
                content_hash: i as u64,
                simhash: i as u64,
                signature: vec![i as u32; 4],
                winnowed: keys.get(i).copied().into_iter().collect(),
                bigrams: Vec::new(),
                blob: Vec::new(),
            })
            .collect();
        let bytes = encode(&records, 4, 2, 2, false);
        let path =
            std::env::temp_dir().join(format!("stemma-seg-{}-{name}.seg", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let seg = Segment::open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        seg
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Lookups through the fences and one block read find exactly the records with the key,
        /// for uniform keys, skewed keys and long runs of equal keys crossing block edges.
        #[test]
        fn range_finds_exactly_the_records_with_the_key(
            keys in prop::collection::vec(
                prop_oneof![any::<u64>(), 0u64..4, (0u64..8).prop_map(|x| x << 60)],
                0..1500,
            ),
            probes in prop::collection::vec(any::<u64>(), 1..10),
        ) {
            let seg = segment_with_postings(&keys, "range");
            let mut want: Vec<(u64, u32)> =
                keys.iter().enumerate().map(|(d, &k)| (k, d as u32)).collect();
            want.sort_unstable();
            want.dedup();
            let table = seg.postings();
            prop_assert_eq!(table.len(), want.len());
            let mut all = Vec::new();
            table.for_each(|k, d| all.push((k, d))).unwrap();
            prop_assert_eq!(&all, &want);
            let mut probes = probes;
            probes.extend(keys.iter().take(30).flat_map(|&k| [k, k.wrapping_add(1), k.wrapping_sub(1)]));
            for key in probes {
                let expect: Vec<(u64, u32)> =
                    want.iter().copied().filter(|r| r.0 == key).collect();
                prop_assert_eq!(table.range(key).unwrap(), expect);
            }
        }
    }
}
