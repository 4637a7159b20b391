//! The index readers on hostile bytes: manifest, delete file and segment decoding, and a query
//! against a damaged index. Any bytes after a valid header are an error, never a panic, an
//! out-of-bounds read or an unbounded allocation (the run's `-rss_limit_mb`/`-malloc_limit_mb`).
//!
//! Byte 0 picks the mode (modulo 7), the rest is its payload:
//! - 0: manifest: the payload framed with the format module's own [`format::frame`] (valid
//!   header, length and checksum), decoded by [`stemma::fuzzing::index::decode_manifest`]; the payload
//!   unframed too.
//! - 1: delete file: payload bytes 0-1 are the segment's document count (u16 LE), the rest the
//!   body, framed and decoded by [`stemma::fuzzing::index::decode_deletes`].
//! - 2: segment: the payload is the body after a valid header, framed; opened with
//!   [`Segment::open`] and every accessor called on the first documents and tables.
//! - 3: as 2, but every checksum inside the body (sections, blobs) and the footer is recomputed
//!   after framing, so the decoder gets past the checksums to the structure behind them.
//! - 4, 5: a small real segment (4: with texts, 5: without) built once in-process by
//!   [`stemma::index::build`], damaged by the payload: byte 0 bit 0 recomputes the checksums
//!   afterwards (as in 3), bit 1 truncates the file at the position given by bytes 1-2, then
//!   each triple (position u16 LE, value) XORs one byte. Then the segment is exercised as in 2,
//!   and the whole index (manifest updated to the damaged file's size and checksum) is opened,
//!   verified and queried with the indexed texts, so the query path reads damaged data.
//! - 6: a hostile manifest next to the intact real segment (bit 0 of payload byte 0: with
//!   texts): the rest of the payload is the manifest's JSON, framed; the index is opened,
//!   verified and queried with the settings it gives.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stemma::config::Config;
use stemma::corpus::Document;
use stemma::fingerprint::Profiler;
use stemma::fuzzing::hash::hash_bytes;
use stemma::fuzzing::index::format::{self, MAGIC_DELETES, MAGIC_MANIFEST, MAGIC_SEGMENT};
use stemma::fuzzing::index::segment::Segment;
use stemma::fuzzing::index::{decode_deletes, decode_manifest, MANIFEST};
use stemma::index::{query, Index, Manifest};

const HEADER: usize = format::HEADER_LEN;
const FOOTER: usize = format::FOOTER_LEN;
/// Section table: 7 entries of (offset, length, checksum), after 24 bytes of body header.
const TABLE: usize = HEADER + 24;
const SECTIONS: usize = 7;

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    if let Some(s) = b.get_mut(at..at + 8) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

/// A section's bytes, when it lies inside the body.
fn section(file: &[u8], i: usize) -> Option<(usize, usize)> {
    let off = usize::try_from(u64_at(file, TABLE + i * 24)?).ok()?;
    let len = usize::try_from(u64_at(file, TABLE + i * 24 + 8)?).ok()?;
    let end = off.checked_add(len)?;
    (end <= file.len().checked_sub(FOOTER)?).then_some((off, end))
}

/// Recomputes every checksum of a segment file that its (possibly hostile) layout allows: each
/// document's blob checksum, each section checksum, the footer length and checksum.
fn fix_checksums(file: &mut Vec<u8>) {
    if file.len() < HEADER + FOOTER {
        return;
    }
    if let (Some((d0, d1)), Some((b0, b1))) = (section(file, 0), section(file, 6)) {
        for rec in (d0..d1).step_by(48).filter(|r| r + 48 <= d1) {
            let (Some(off), Some(len)) = (u64_at(file, rec + 24), u64_at(file, rec + 32)) else {
                continue;
            };
            let blob = usize::try_from(off).ok().and_then(|o| {
                let start = b0.checked_add(o)?;
                let end = start.checked_add(usize::try_from(len).ok()?)?;
                (end <= b1).then_some(start..end)
            });
            if let Some(blob) = blob {
                let sum = hash_bytes(&file[blob], 0);
                put_u64(file, rec + 40, sum);
            }
        }
    }
    for i in 0..SECTIONS {
        if let Some((s0, s1)) = section(file, i) {
            let sum = hash_bytes(&file[s0..s1], 0);
            put_u64(file, TABLE + i * 24 + 16, sum);
        }
    }
    let n = file.len() - HEADER - FOOTER;
    let at = file.len() - FOOTER;
    put_u64(file, at, n as u64);
    let sum = hash_bytes(&file[..file.len() - 8], 0);
    put_u64(file, at + 8, sum);
}

/// A scratch directory for this process (tmpfs when there is one).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new("/dev/shm");
    let dir = if dir.is_dir() {
        dir.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("stemma-fuzz-{}-{name}", std::process::id()))
}

/// Writes `bytes` as a new file (a new inode: a segment still open elsewhere keeps its own).
fn write_new(path: &Path, bytes: &[u8]) {
    let _ = std::fs::remove_file(path);
    std::fs::write(path, bytes).expect("scratch file");
}

/// Calls every reader of an open segment on its first documents and tables. Errors are fine;
/// what is returned must be consistent with what the segment said at open.
fn exercise(seg: &Segment) {
    let n = seg.len();
    assert_eq!(seg.simhashes().len(), n);
    let profiler = Profiler::new(&stemma::FingerprintParams::default());
    for d in 0..n.min(8) as u32 {
        let _ = seg.has_no_tokens(d);
        let _ = seg.doc(d);
        if let Ok(id) = seg.id(d) {
            if let Ok(Some(found)) = seg.find(&id) {
                assert!((found as usize) < n);
            }
        }
        if let Ok(sig) = seg.signature(d) {
            assert_eq!(sig.len(), seg.num_perm);
        }
        let _ = seg.raw_blob(d);
        let _ = seg.blob(d);
        let _ = seg.view(d, &profiler);
    }
    if let Ok(ids) = seg.ids() {
        assert_eq!(ids.len(), n);
    }
    let _ = seg.find("");
    let _ = seg.find("\u{10FFFF}");
    let bands = seg.banding.bands;
    let mut tables: Vec<_> = (0..bands.min(4)).map(|b| seg.band(b)).collect();
    tables.push(seg.postings());
    tables.push(seg.bigram_counts());
    for t in tables {
        let mut keys = Vec::new();
        let _ = t.for_each(|k, _| {
            if keys.len() < 4 {
                keys.push(k)
            }
        });
        for k in keys.into_iter().chain([0, u64::MAX]) {
            if let Ok(recs) = t.range(k) {
                assert!(recs.iter().all(|r| r.0 == k));
            }
        }
    }
    if let Ok(w) = seg.winnowed_by_doc() {
        assert_eq!(w.len(), n);
    }
    let _ = seg.checksum();
    let _ = seg.verify();
}

/// Opens the segment bytes `file` from a scratch file.
fn open_segment(file: &[u8]) {
    let path = scratch("seg");
    write_new(&path, file);
    if let Ok(seg) = Segment::open(&path) {
        exercise(&seg);
    }
    let _ = std::fs::remove_file(&path);
}

/// A real index of three documents (two of them near-duplicates), built once per mode.
struct Real {
    segment_name: String,
    segment: Vec<u8>,
    manifest: Manifest,
    docs: Vec<Document>,
}

fn real(texts: bool) -> &'static Real {
    static REAL: [OnceLock<Real>; 2] = [OnceLock::new(), OnceLock::new()];
    REAL[usize::from(texts)].get_or_init(|| {
        let story = "Thủ tướng cho biết cây cầu mới bắc qua sông sẽ thông xe vào tháng Ba sau hai \
                     năm thi công, và phí qua cầu sẽ thấp hơn dự kiến. 我们今天去北京。";
        let docs = vec![
            Document::new("agency", story),
            Document::new("outlet", format!("(Outlet) - {story} More on page two.")),
            Document::new(
                "other",
                "A completely different text about the weather in the hills.",
            ),
        ];
        let dir = scratch(&format!("build-{texts}"));
        let _ = std::fs::remove_dir_all(&dir);
        stemma::index::build(&dir, &docs, &Config::default(), texts).expect("build");
        let manifest = stemma::index::read_manifest(&dir).expect("manifest");
        let segment_name = manifest.segments[0].name.clone();
        let segment = std::fs::read(dir.join(&segment_name)).expect("segment");
        let _ = std::fs::remove_dir_all(&dir);
        // Seeds for mode 6 (the real manifest), written when STEMMA_FUZZ_WRITE_SEEDS names a
        // directory: `STEMMA_FUZZ_WRITE_SEEDS=seeds/index_readers cargo fuzz run index_readers
        // seeds/index_readers -- -runs=0`.
        if let Some(seeds) = std::env::var_os("STEMMA_FUZZ_WRITE_SEEDS") {
            let body = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
            let seed = [&[6, u8::from(texts)][..], &body].concat();
            let name = format!("manifest-real-texts-{texts}");
            std::fs::write(Path::new(&seeds).join(name), seed).expect("seed");
        }
        Real {
            segment_name,
            segment,
            manifest,
            docs,
        }
    })
}

/// Damages the real segment as `payload` says, then reads it alone and as an index.
fn damaged(texts: bool, payload: &[u8]) {
    let real = real(texts);
    let mut file = real.segment.clone();
    let Some((&flags, ops)) = payload.split_first() else {
        return;
    };
    let mut ops = ops;
    if flags & 2 != 0 && ops.len() >= 2 {
        let at = usize::from(u16::from_le_bytes([ops[0], ops[1]]));
        file.truncate(at % (file.len() + 1));
        ops = &ops[2..];
    }
    if !file.is_empty() {
        for op in ops.chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([op[0], op[1]])) % file.len();
            file[at] ^= op[2];
        }
    }
    if flags & 1 != 0 {
        fix_checksums(&mut file);
    }
    open_segment(&file);

    // The whole index, its manifest agreeing with the damaged file, opened and queried.
    let dir = scratch(&format!("index-{texts}"));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let mut manifest = real.manifest.clone();
    manifest.segments[0].bytes = file.len() as u64;
    manifest.segments[0].checksum = u64_at(&file, file.len().saturating_sub(8)).unwrap_or(0);
    let body = serde_json::to_vec(&manifest).expect("manifest serializes");
    write_new(&dir.join(MANIFEST), &format::frame(MAGIC_MANIFEST, &body));
    write_new(&dir.join(&real.segment_name), &file);
    open_index(&dir, &real.docs);
}

/// Opens, verifies and queries the index in `dir`.
fn open_index(dir: &Path, docs: &[Document]) {
    if let Ok(index) = Index::open(dir) {
        let _ = index.verify();
        let _ = index.live_ids();
        let _ = stemma::fuzzing::index::find(&index, "agency");
        let _ = index.stats();
        let config = index.settings();
        if let Ok(results) = query::query(&index, docs, &config) {
            assert_eq!(results.len(), docs.len());
        }
    }
}

/// A hostile manifest (JSON `body`) next to the intact real segment.
fn hostile_manifest(texts: bool, body: &[u8]) {
    let real = real(texts);
    let dir = scratch(&format!("manifest-{texts}"));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    write_new(&dir.join(MANIFEST), &format::frame(MAGIC_MANIFEST, body));
    write_new(&dir.join(&real.segment_name), &real.segment);
    open_index(&dir, &real.docs);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, payload)) = data.split_first() else {
        return;
    };
    let path = Path::new("fuzz");
    match mode % 7 {
        0 => {
            let _ = decode_manifest(path, &format::frame(MAGIC_MANIFEST, payload));
            let _ = decode_manifest(path, payload);
        }
        1 => {
            let [a, b, ref body @ ..] = *payload else {
                return;
            };
            let docs = usize::from(u16::from_le_bytes([a, b]));
            if let Ok(bits) = decode_deletes(path, &format::frame(MAGIC_DELETES, body), docs) {
                assert_eq!(bits.len(), docs);
            }
            let _ = decode_deletes(path, payload, docs);
        }
        2 => open_segment(&format::frame(MAGIC_SEGMENT, payload)),
        3 => {
            let mut file = format::frame(MAGIC_SEGMENT, payload);
            fix_checksums(&mut file);
            open_segment(&file);
        }
        4 => damaged(true, payload),
        5 => damaged(false, payload),
        _ => match payload.split_first() {
            Some((&flags, body)) => hostile_manifest(flags & 1 == 1, body),
            None => {}
        },
    }
});
