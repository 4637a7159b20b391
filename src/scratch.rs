//! Temporary storage for an analysis larger than memory: sorted runs and document texts.
//!
//! `scan` and `trace` need, besides a fixed-size summary per document, data that grows with the
//! text: every document's text (to verify and align candidate pairs), its winnowed fingerprints
//! and its bigrams (document frequencies over the corpus). [`Sorter`] and [`TextStore`] keep
//! them in memory up to a budget and move the rest to unnamed temporary files in
//! [`Scratch::dir`], so peak memory follows the number of documents, not the size of the text.
//!
//! The files are created readable by their owner only and unlinked right after creation: a
//! crash, a signal or a full disk leaves nothing behind (only a kill in the instant between the
//! two steps could), and no other process can open them by name afterwards. With
//! [`Scratch::in_memory`] nothing is ever written (library use, tests).
//!
//! Spilling never changes a result: a [`Sorter`] yields the same sorted sequence, and a
//! [`TextStore`] the same texts, whatever the budget.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::binary_heap::PeekMut;
use std::collections::BinaryHeap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::output::Pending;

/// Where temporary data may go, and how much memory each buffer may hold before it goes there.
///
/// ```
/// use stemma::Scratch;
///
/// // Everything in memory (the default), or sorted runs and texts spilled to unnamed
/// // temporary files in a directory once 64 MiB are held.
/// let _in_memory = Scratch::in_memory();
/// let on_disk = Scratch::on_disk(std::env::temp_dir(), 64 << 20);
/// on_disk.check()?;
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scratch {
    /// Directory for temporary files; `None`: keep everything in memory.
    pub dir: Option<PathBuf>,
    /// Bytes one buffer (`Sorter`, `TextStore`) may hold before it spills.
    pub memory: usize,
}

impl Scratch {
    /// Never spill: everything stays in memory.
    pub fn in_memory() -> Scratch {
        Scratch {
            dir: None,
            memory: usize::MAX,
        }
    }

    /// Spill to `dir` beyond `memory` bytes per buffer (at least 1 MiB).
    pub fn on_disk(dir: impl Into<PathBuf>, memory: usize) -> Scratch {
        Scratch {
            dir: Some(dir.into()),
            memory: memory.max(1 << 20),
        }
    }

    /// Checks that a temporary file can be created in [`Scratch::dir`], so a missing or
    /// read-only directory is reported before any work rather than at the first spill.
    pub fn check(&self) -> Result<()> {
        self.file().map(drop)
    }

    /// A new unnamed file in [`Scratch::dir`] (`None` when everything stays in memory).
    fn file(&self) -> Result<Option<SpillFile>> {
        let Some(dir) = &self.dir else {
            return Ok(None);
        };
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mut attempt = 0;
        let (path, file, pending) = loop {
            // An unpredictable name: another user of a shared directory cannot take it first.
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            let tag = crate::hash::mix64(nanos ^ (u64::from(std::process::id()) << 32) ^ n);
            let path = dir.join(format!(".stemma-scratch-{tag:016x}"));
            // Registered for the moment it has a name, in case a signal comes then.
            let pending = Pending::new(&path);
            // Readable by this user only (document texts), never through a planted symlink.
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(file) => break (path, file, pending),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 8 => attempt += 1,
                Err(e) => return Err(scratch_error(dir, e)),
            }
        };
        // Unlinked at once: the data lives as long as the open file.
        fs::remove_file(&path).map_err(|e| scratch_error(dir, e))?;
        drop(pending);
        Ok(Some(SpillFile {
            dir: dir.clone(),
            writer: BufWriter::with_capacity(1 << 20, file),
            len: 0,
        }))
    }
}

fn scratch_error(dir: &Path, source: io::Error) -> Error {
    Error::Scratch {
        path: dir.to_path_buf(),
        source,
    }
}

/// An unlinked temporary file, appended through a buffer and read at offsets.
#[derive(Debug)]
struct SpillFile {
    dir: PathBuf,
    writer: BufWriter<File>,
    len: u64,
}

impl SpillFile {
    fn append(&mut self, bytes: &[u8]) -> Result<u64> {
        let at = self.len;
        self.writer
            .write_all(bytes)
            .map_err(|e| scratch_error(&self.dir, e))?;
        self.len += bytes.len() as u64;
        Ok(at)
    }

    fn flush(&mut self) -> Result<()> {
        self.writer.flush().map_err(|e| scratch_error(&self.dir, e))
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<()> {
        self.writer
            .get_ref()
            .read_exact_at(buf, offset)
            .map_err(|e| scratch_error(&self.dir, e))
    }
}

/// A fixed-size record a [`Sorter`] can write to a temporary file.
pub trait Record: Copy + Ord + Send + Sync {
    /// Encoded size in bytes.
    const SIZE: usize;
    /// Writes `self` into `out` (`SIZE` bytes).
    fn put(&self, out: &mut [u8]);
    /// Reads a record written by [`Record::put`].
    fn get(bytes: &[u8]) -> Self;
}

impl Record for u64 {
    const SIZE: usize = 8;
    fn put(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> Self {
        u64::from_le_bytes(bytes.try_into().expect("8 bytes"))
    }
}

impl Record for (u64, u32) {
    const SIZE: usize = 12;
    fn put(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.0.to_le_bytes());
        out[8..].copy_from_slice(&self.1.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> Self {
        (
            u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")),
            u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")),
        )
    }
}

/// Sorts more records than fit in memory: records are buffered up to the budget, each full
/// buffer is sorted and written as a run, and [`Sorter::finish`] merges the runs.
#[derive(Debug)]
pub struct Sorter<T: Record> {
    scratch: Scratch,
    buf: Vec<T>,
    capacity: usize,
    file: Option<SpillFile>,
    /// (offset, records) of each run written.
    runs: Vec<(u64, u64)>,
}

impl<T: Record> Sorter<T> {
    /// An empty sorter holding up to `scratch.memory` bytes of records in memory.
    pub fn new(scratch: &Scratch) -> Sorter<T> {
        let capacity = (scratch.memory / std::mem::size_of::<T>().max(1)).max(16);
        Sorter {
            scratch: scratch.clone(),
            buf: Vec::new(),
            capacity,
            file: None,
            runs: Vec::new(),
        }
    }

    /// Adds records.
    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) -> Result<()> {
        for x in items {
            if self.buf.len() >= self.capacity && self.scratch.dir.is_some() {
                self.spill()?;
            }
            if self.buf.len() == self.buf.capacity() {
                // Grow by doubling, but never past the budget.
                let want = (self.buf.capacity() * 2).clamp(1024, self.capacity.max(1024));
                self.buf
                    .reserve_exact(want.saturating_sub(self.buf.len()).max(1));
            }
            self.buf.push(x);
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        if self.file.is_none() {
            self.file = self.scratch.file()?;
        }
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        self.buf.par_sort_unstable();
        let mut bytes = vec![0u8; T::SIZE * 4096];
        let mut start = None;
        for chunk in self.buf.chunks(4096) {
            for (x, out) in chunk.iter().zip(bytes.chunks_mut(T::SIZE)) {
                x.put(out);
            }
            let at = file.append(&bytes[..chunk.len() * T::SIZE])?;
            start.get_or_insert(at);
        }
        if let Some(at) = start {
            self.runs.push((at, self.buf.len() as u64));
        }
        self.buf.clear();
        Ok(())
    }

    /// All records added, in sorted order (repeats kept).
    pub fn finish(mut self) -> Result<Sorted<T>> {
        self.buf.par_sort_unstable();
        let Some(mut file) = self.file.take() else {
            return Ok(Sorted {
                memory: self.buf.into_iter().peekable(),
                runs: Vec::new(),
                heap: BinaryHeap::new(),
                file: None,
            });
        };
        file.flush()?;
        // The runs' read blocks share the budget (at least 256 records each).
        let block = (self.scratch.memory / (T::SIZE + std::mem::size_of::<T>()))
            .checked_div(self.runs.len())
            .unwrap_or(RunReader::<T>::MAX_BLOCK)
            .clamp(256, RunReader::<T>::MAX_BLOCK);
        let mut runs: Vec<RunReader<T>> = self
            .runs
            .iter()
            .map(|&(offset, len)| RunReader {
                offset,
                left: len,
                block,
                bytes: Vec::new(),
                buf: Vec::new(),
                pos: 0,
            })
            .collect();
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (i, run) in runs.iter_mut().enumerate() {
            if let Some(x) = run.next(&file)? {
                heap.push(Reverse((x, i)));
            }
        }
        Ok(Sorted {
            memory: self.buf.into_iter().peekable(),
            runs,
            heap,
            file: Some(file),
        })
    }
}

/// Records of one run, read in blocks.
#[derive(Debug)]
struct RunReader<T> {
    offset: u64,
    left: u64,
    /// Records read at a time.
    block: usize,
    bytes: Vec<u8>,
    buf: Vec<T>,
    pos: usize,
}

impl<T: Record> RunReader<T> {
    const MAX_BLOCK: usize = 8192;

    fn next(&mut self, file: &SpillFile) -> Result<Option<T>> {
        if self.pos == self.buf.len() {
            if self.left == 0 {
                return Ok(None);
            }
            let n = (self.left as usize).min(self.block);
            self.bytes.resize(n * T::SIZE, 0);
            file.read_at(&mut self.bytes, self.offset)?;
            self.offset += self.bytes.len() as u64;
            self.left -= n as u64;
            self.buf.clear();
            self.buf.extend(self.bytes.chunks(T::SIZE).map(T::get));
            self.pos = 0;
        }
        self.pos += 1;
        Ok(Some(self.buf[self.pos - 1]))
    }
}

/// The sorted output of a [`Sorter`]: the in-memory buffer merged with the runs on disk.
#[derive(Debug)]
pub struct Sorted<T: Record> {
    memory: std::iter::Peekable<std::vec::IntoIter<T>>,
    runs: Vec<RunReader<T>>,
    heap: BinaryHeap<Reverse<(T, usize)>>,
    file: Option<SpillFile>,
}

impl<T: Record> Sorted<T> {
    /// The next record in order, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<T>> {
        let from_runs = self.heap.peek().map(|Reverse((x, _))| *x);
        match (self.memory.peek(), from_runs) {
            (Some(&m), Some(r)) if m <= r => Ok(self.memory.next()),
            (_, Some(_)) => {
                let Some(mut top) = self.heap.peek_mut() else {
                    return Ok(None);
                };
                let Reverse((x, i)) = *top;
                let file = self.file.as_ref().expect("runs live in the file");
                // The run's next record takes the top's place: one sift, not a pop and a push.
                match self.runs[i].next(file)? {
                    Some(y) => *top = Reverse((y, i)),
                    None => drop(PeekMut::pop(top)),
                }
                Ok(Some(x))
            }
            (_, None) => Ok(self.memory.next()),
        }
    }

    /// Calls `f` with every run of equal keys (`key` of each record), in order.
    pub fn for_each_group<K: PartialEq>(
        mut self,
        key: impl Fn(&T) -> K,
        mut f: impl FnMut(&[T]) -> Result<()>,
    ) -> Result<()> {
        let mut group: Vec<T> = Vec::new();
        while let Some(x) = self.next_record()? {
            if group.last().is_some_and(|g| key(g) != key(&x)) {
                f(&group)?;
                group.clear();
            }
            group.push(x);
        }
        if !group.is_empty() {
            f(&group)?;
        }
        Ok(())
    }
}

/// Document texts by position: borrowed from the caller, or owned and moved to a temporary file
/// once they exceed the memory budget.
#[derive(Debug)]
pub struct TextStore<'a> {
    borrowed: Vec<&'a str>,
    /// Owned texts not yet written out (all of them when nothing spilled).
    buf: Vec<u8>,
    /// Start of text `i` (owned texts); one more entry than texts.
    offsets: Vec<u64>,
    scratch: Scratch,
    file: Option<SpillFile>,
    /// Bytes of owned text already in the file.
    flushed: u64,
}

impl<'a> TextStore<'a> {
    /// An empty store.
    pub fn new(scratch: &Scratch) -> TextStore<'a> {
        TextStore {
            borrowed: Vec::new(),
            buf: Vec::new(),
            offsets: vec![0],
            scratch: scratch.clone(),
            file: None,
            flushed: 0,
        }
    }

    /// Texts held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.borrowed.len() + self.offsets.len() - 1
    }

    /// Adds a text the caller keeps alive. A store holds borrowed or owned texts, not both.
    pub fn push_borrowed(&mut self, text: &'a str) {
        assert!(
            self.offsets.len() == 1,
            "a store holds borrowed or owned texts"
        );
        self.borrowed.push(text);
    }

    /// Adds a text, moving the buffer to the temporary file when it exceeds the budget (a text
    /// larger than the budget goes there directly).
    pub fn push(&mut self, text: &str) -> Result<()> {
        assert!(
            self.borrowed.is_empty(),
            "a store holds borrowed or owned texts"
        );
        let spills = self.scratch.dir.is_some();
        if spills && self.buf.len() + text.len() > self.scratch.memory {
            self.spill()?;
        }
        match self.file.as_mut() {
            Some(file) if text.len() > self.scratch.memory => {
                file.append(text.as_bytes())?;
                self.flushed += text.len() as u64;
            }
            _ => self.buf.extend_from_slice(text.as_bytes()),
        }
        let end = self.offsets.last().copied().unwrap_or(0) + text.len() as u64;
        self.offsets.push(end);
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        if self.file.is_none() {
            self.file = self.scratch.file()?;
        }
        if let Some(file) = self.file.as_mut() {
            file.append(&self.buf)?;
            self.flushed += self.buf.len() as u64;
            self.buf.clear();
            self.buf.shrink_to(self.scratch.memory);
        }
        Ok(())
    }

    /// Ends the writing: texts still buffered join the file if there is one, so every read
    /// afterwards is served from one place.
    pub fn seal(&mut self) -> Result<()> {
        if self.file.is_some() {
            self.spill()?;
            if let Some(file) = self.file.as_mut() {
                file.flush()?;
            }
        }
        Ok(())
    }

    /// Byte length of text `i`.
    pub fn text_len(&self, i: usize) -> usize {
        if self.borrowed.is_empty() {
            (self.offsets[i + 1] - self.offsets[i]) as usize
        } else {
            self.borrowed[i].len()
        }
    }

    /// Text `i`. Call [`TextStore::seal`] after the last push and before the first read.
    pub fn text(&self, i: usize) -> Result<Cow<'_, str>> {
        if !self.borrowed.is_empty() {
            return Ok(Cow::Borrowed(self.borrowed[i]));
        }
        let (start, end) = (self.offsets[i], self.offsets[i + 1]);
        let corrupt = |dir: &Path| Error::Scratch {
            path: dir.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidData, "a stored text is not UTF-8"),
        };
        match &self.file {
            Some(file) => {
                debug_assert!(end <= self.flushed, "read before seal");
                let mut bytes = vec![0u8; (end - start) as usize];
                file.read_at(&mut bytes, start)?;
                String::from_utf8(bytes)
                    .map(Cow::Owned)
                    .map_err(|_| corrupt(&file.dir))
            }
            None => std::str::from_utf8(&self.buf[start as usize..end as usize])
                .map(Cow::Borrowed)
                .map_err(|_| corrupt(Path::new("memory"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tiny(dir: &Path) -> Scratch {
        // Below the public minimum, to force many runs in a test.
        Scratch {
            dir: Some(dir.to_path_buf()),
            memory: 64,
        }
    }

    fn test_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("stemma-scratch-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    proptest! {
        #[test]
        fn sorter_yields_the_sorted_records_whatever_the_budget(
            items in proptest::collection::vec((any::<u64>() , any::<u32>()), 0..5000),
        ) {
            let dir = test_dir("sort");
            let mut s = Sorter::new(&tiny(&dir));
            s.extend(items.iter().copied()).unwrap();
            let mut out = s.finish().unwrap();
            let mut got = Vec::new();
            while let Some(x) = out.next_record().unwrap() {
                got.push(x);
            }
            let mut want = items.clone();
            want.sort_unstable();
            prop_assert_eq!(got, want);
            // The files were unlinked at once.
            prop_assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        }

        #[test]
        fn store_returns_every_text_whatever_the_budget(
            texts in proptest::collection::vec(".{0,40}", 0..60),
            memory in 0usize..200,
        ) {
            let dir = test_dir("store");
            let scratch = Scratch { dir: Some(dir.clone()), memory };
            let mut store = TextStore::new(&scratch);
            for t in &texts {
                store.push(t).unwrap();
            }
            store.seal().unwrap();
            prop_assert_eq!(store.len(), texts.len());
            for (i, t) in texts.iter().enumerate() {
                let got = store.text(i).unwrap();
                prop_assert_eq!(got.as_ref(), t.as_str());
                prop_assert_eq!(store.text_len(i), t.len());
            }
        }
    }

    #[test]
    fn groups_are_runs_of_equal_keys() {
        let dir = test_dir("groups");
        let mut s = Sorter::new(&tiny(&dir));
        let items: Vec<(u64, u32)> = (0..3000u32).map(|i| (u64::from(i % 7), i)).collect();
        s.extend(items).unwrap();
        let mut sizes = Vec::new();
        s.finish()
            .unwrap()
            .for_each_group(
                |x| x.0,
                |g| {
                    assert!(g.windows(2).all(|w| w[0].0 == w[1].0 && w[0].1 < w[1].1));
                    sizes.push(g.len());
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!(sizes, vec![429, 429, 429, 429, 428, 428, 428]);
    }

    #[test]
    fn a_missing_directory_is_a_clear_error() {
        let scratch = Scratch::on_disk("/nonexistent-stemma-scratch", 1);
        let mut store = TextStore::new(&scratch);
        let err = store.push(&"x".repeat(2 << 20)).unwrap_err().to_string();
        assert!(err.contains("/nonexistent-stemma-scratch"), "{err}");
        assert!(err.contains("--temp-dir"), "{err}");
    }
}
