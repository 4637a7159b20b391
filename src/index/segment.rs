//! One immutable segment file: writing it from [`DocRecord`]s, opening it (cheap checks plus
//! checksums of the sections kept in memory), reading one document's blob or signature on
//! demand, and full verification. The byte layout is in [`super::format`].
//!
//! What a reader keeps in memory: the document table (48 bytes per document), ids, band tables,
//! winnowed postings and bigram counts. Signatures and blobs (metadata, compressed texts or
//! shingle sequences) stay on disk and are read with positioned reads when a candidate needs
//! them, each blob checked against its own checksum.
//!
//! Not done here: tombstones (a segment never changes; deletes live in delete files) and
//! memory mapping (the tables are read once; blobs are small positioned reads).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::candidates::lsh::band_key;
use crate::corpus::Meta;
use crate::error::{Error, Result};
use crate::hash::hash_bytes;
use crate::profile::{Profile, Profiler, TokenView};
use crate::text::Token;

use super::format::{
    check_frame, corrupt, frame_footer, frame_header, put_records12, records12, Cursor, FOOTER_LEN,
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

/// An open segment.
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
    pub banding: (usize, usize),
    /// Document table.
    pub docs: Vec<DocEntry>,
    /// Ids, sorted.
    pub ids: Vec<String>,
    /// Band tables: `bands[b]` sorted by key.
    pub bands: Vec<Vec<(u64, u32)>>,
    /// Winnowed postings, sorted.
    pub postings: Vec<(u64, u32)>,
    /// Bigram document counts, sorted.
    pub bigrams: Vec<(u64, u32)>,
    sigs: (u64, u64),
    blobs: (u64, u64),
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

impl Segment {
    /// Opens `path`: cheap frame checks, section table bounds, and the checksums and
    /// consistency of the sections kept in memory.
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
        let load = |i: usize| -> Result<Vec<u8>> {
            let (off, len, sum) = sections[i];
            let bytes = read_at(&file, path, off, len)?;
            if hash_bytes(&bytes, 0) != sum {
                return Err(corrupt(path, format!("checksum mismatch in section {i}")));
            }
            Ok(bytes)
        };
        let docs_bytes = load(0)?;
        if Some(docs_bytes.len()) != n.checked_mul(DOC_RECORD) {
            return Err(corrupt(path, "document table has the wrong length"));
        }
        let blobs = (sections[6].0, sections[6].1);
        let mut docs = Vec::with_capacity(n);
        for rec in docs_bytes.chunks_exact(DOC_RECORD) {
            let mut c = Cursor::new(rec, path);
            let e = DocEntry {
                tokens: c.u32("tokens")?,
                shingles: c.u32("shingles")?,
                content_hash: c.u64("content hash")?,
                simhash: c.u64("simhash")?,
                blob_off: c.u64("blob offset")?,
                blob_len: c.u64("blob length")?,
                blob_hash: c.u64("blob checksum")?,
            };
            if e.blob_off
                .checked_add(e.blob_len)
                .is_none_or(|end| end > blobs.1)
            {
                return Err(corrupt(
                    path,
                    "a document's blob lies outside the blob section",
                ));
            }
            docs.push(e);
        }
        let ids_bytes = load(1)?;
        let mut c = Cursor::new(&ids_bytes, path);
        let offs: Vec<u32> = (0..=n)
            .map(|_| c.u32("id offsets"))
            .collect::<Result<_>>()?;
        let text = c.take(c.remaining(), "ids")?;
        let mut ids = Vec::with_capacity(n);
        for w in offs.windows(2) {
            let (a, b) = (w[0] as usize, w[1] as usize);
            let s = text
                .get(a..b)
                .and_then(|s| std::str::from_utf8(s).ok())
                .ok_or_else(|| {
                    corrupt(path, "an id lies outside the id section or is not UTF-8")
                })?;
            ids.push(s.to_string());
        }
        let check_docs = |recs: &[(u64, u32)], what: &str| -> Result<()> {
            if recs.iter().any(|r| r.1 as usize >= n) {
                return Err(corrupt(
                    path,
                    format!("{what} names a document out of range"),
                ));
            }
            Ok(())
        };
        let band_recs = records12(path, &load(2)?, "band tables")?;
        if bands == 0
            || band_recs.len() % bands != 0
            || rows.checked_mul(bands).is_none_or(|x| x > num_perm)
        {
            return Err(corrupt(path, "band tables do not match the banding"));
        }
        check_docs(&band_recs, "a band table")?;
        let per = band_recs.len() / bands;
        let bands_t: Vec<Vec<(u64, u32)>> =
            band_recs.chunks(per.max(1)).map(|c| c.to_vec()).collect();
        let bands_t = if per == 0 {
            vec![Vec::new(); bands]
        } else {
            bands_t
        };
        let postings = records12(path, &load(3)?, "postings")?;
        check_docs(&postings, "the postings")?;
        let bigrams = records12(path, &load(4)?, "bigram counts")?;
        let sigs = (sections[5].0, sections[5].1);
        if Some(sigs.1) != (n as u64).checked_mul(num_perm as u64 * 4) {
            return Err(corrupt(path, "signature section has the wrong length"));
        }
        Ok(Segment {
            path: path.to_path_buf(),
            file,
            size,
            texts: flags & 1 == 1,
            num_perm,
            banding: (bands, rows),
            docs,
            ids,
            bands: bands_t,
            postings,
            bigrams,
            sigs,
            blobs,
            sections,
        })
    }

    /// Document count.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when the segment holds no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The MinHash signature of document `d`.
    pub fn signature(&self, d: u32) -> Result<Vec<u32>> {
        let k = self.num_perm as u64 * 4;
        let bytes = read_at(&self.file, &self.path, self.sigs.0 + u64::from(d) * k, k)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4")))
            .collect())
    }

    /// The raw blob of document `d`, checked against its checksum.
    pub fn raw_blob(&self, d: u32) -> Result<Vec<u8>> {
        let e = &self.docs[d as usize];
        let bytes = read_at(
            &self.file,
            &self.path,
            self.blobs.0 + e.blob_off,
            e.blob_len,
        )?;
        if hash_bytes(&bytes, 0) != e.blob_hash {
            return Err(corrupt(
                &self.path,
                format!(
                    "checksum mismatch in the data of document {:?}",
                    self.ids[d as usize]
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
        let e = self.docs[d as usize];
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
        let mut out = vec![Vec::new(); self.docs.len()];
        for &(h, d) in &self.postings {
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
        for d in 0..self.docs.len() as u32 {
            self.blob(d)?;
        }
        Ok(self.docs.len())
    }
}
