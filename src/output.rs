//! Writing output files safely: never a half-written file.
//!
//! [`write_atomic`] writes to a temporary file next to the target, flushes and syncs it,
//! renames it over the target and syncs the directory, so a crash, a full disk or Ctrl-C leaves
//! either the old file or the new one, and a completed write survives a power loss. Every file
//! stemma writes goes through it (reports, dedup outputs, baselines, the index's segments,
//! delete files and manifest). The path `-` means standard output.
//!
//! Temporary files (and an index's write lock) are registered as `Pending` while they exist,
//! so a program stopped by a signal can remove them with [`exit_removing_temporary_files`]:
//! an interrupted run leaves the old outputs and nothing else.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A file that must not outlive an interrupted run (a temporary file, a lock): registered
/// while the value lives, so [`exit_removing_temporary_files`] can remove it.
#[derive(Debug)]
pub(crate) struct Pending {
    path: PathBuf,
}

impl Pending {
    /// Registers `path`.
    pub fn new(path: &Path) -> Pending {
        pending().push(path.to_path_buf());
        Pending {
            path: path.to_path_buf(),
        }
    }
}

impl Pending {
    /// Creates a file with `create` and registers `path` if that succeeds, with the registry
    /// locked throughout: a signal handler calling [`exit_removing_temporary_files`] waits for it, so a file
    /// created here is never left unregistered by an interrupt (an index's write lock), and a
    /// file `create` did not make (someone else's lock) is never registered.
    pub fn create<T>(
        path: &Path,
        create: impl FnOnce() -> io::Result<T>,
    ) -> io::Result<(T, Pending)> {
        let mut list = pending();
        let made = create()?;
        list.push(path.to_path_buf());
        Ok((
            made,
            Pending {
                path: path.to_path_buf(),
            },
        ))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut list = pending();
        if let Some(i) = list.iter().rposition(|p| *p == self.path) {
            list.swap_remove(i);
        }
    }
}

/// Removes every temporary file stemma has open in this process (output files being written,
/// an index's write lock, scratch files in the instant they have a name), calls `report` with
/// how many were removed, and exits the process with `code`.
///
/// For a program's signal handler (the CLI's, on SIGINT, SIGTERM and SIGHUP): an interrupted
/// run then leaves the old outputs and indexes as they were and nothing else. Public because a
/// program that embeds stemma and catches signals itself needs the same cleanup; it exits
/// rather than returning, since the files of writes still running in other threads are gone
/// and no later write may start (the list of files stays locked until the exit).
///
/// ```no_run
/// // In the thread that waits for signals:
/// let signal = 2; // SIGINT, as the wait returned it
/// stemma::output::exit_removing_temporary_files(128 + signal, |removed| {
///     eprintln!("interrupted; {removed} temporary file(s) removed");
/// });
/// ```
pub fn exit_removing_temporary_files(code: i32, report: impl FnOnce(usize)) -> ! {
    let list = pending();
    let removed = list.iter().filter(|p| fs::remove_file(p).is_ok()).count();
    report(removed);
    std::mem::forget(list);
    std::process::exit(code)
}

use crate::error::{Error, Result};

/// Writes `path` atomically with `write` (temporary file, fsync, rename, fsync of the
/// directory); `-` writes to standard output. An error `write` returns that wraps a library
/// [`Error`] (`io::Error::other(error)`) comes back as that error, not wrapped again.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let fail = |source: io::Error| match source.downcast::<Error>() {
        Ok(inner) => inner,
        Err(source) => Error::Write {
            path: path.to_path_buf(),
            source,
        },
    };
    if path.as_os_str() == "-" {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        write(&mut lock).and_then(|_| lock.flush()).map_err(fail)?;
        return Ok(());
    }
    let tmp = temp_path(path);
    let _pending = Pending::new(&tmp);
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// How an output is compressed, chosen by its name: `.gz` gzip, `.zst` zstd, else not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Plain bytes.
    None,
    /// gzip (one member), default level.
    Gzip,
    /// zstd, level 3.
    Zstd,
}

/// The compression an output's name asks for (case-insensitive; `-` is never compressed).
pub(crate) fn compression_of(path: &Path) -> Compression {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".gz") {
        Compression::Gzip
    } else if name.ends_with(".zst") {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// [`write_atomic`], compressed as the name says (`compression_of`): `out.jsonl.gz` is gzip,
/// `out.jsonl.zst` zstd, anything else plain. The compressed stream is finished before the
/// file is synced and renamed, so the file is whole or absent, and stemma's readers (which
/// decompress by the same suffixes) read it back.
pub fn write_atomic_compressed(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match compression_of(path) {
        Compression::None => write_atomic(path, write),
        Compression::Gzip => write_atomic(path, |w| {
            let mut enc = flate2::write::GzEncoder::new(w, flate2::Compression::default());
            write(&mut enc)?;
            enc.finish().map(drop)
        }),
        Compression::Zstd => write_atomic(path, |w| {
            let mut enc = zstd::stream::write::Encoder::new(w, 3)?;
            write(&mut enc)?;
            enc.finish().map(drop)
        }),
    }
}

/// Checks, before any work, that [`write_atomic`] can write `path` (`-` always can): the path
/// is not a directory, its directory exists, and a temporary file can be created there (it is
/// removed at once). Returns what is wrong, in words, for a message that names the flag.
pub fn check_writable(path: &Path) -> std::result::Result<(), String> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    if path.is_dir() {
        return Err("it is a directory; give a file name".into());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!(
                "directory {} does not exist (create it, or choose another path)",
                dir.display()
            ))
        }
        Err(e) => return Err(format!("cannot reach directory {}: {e}", dir.display())),
        Ok(m) if !m.is_dir() => {
            return Err(format!("{} is not a directory", dir.display()));
        }
        Ok(_) => {}
    }
    let tmp = temp_path(path);
    let _pending = Pending::new(&tmp);
    match File::create(&tmp) {
        Ok(file) => {
            drop(file);
            let _ = fs::remove_file(&tmp);
            Ok(())
        }
        Err(e) => Err(format!(
            "cannot create a file in {}: {e} (check its permissions, or choose another path)",
            dir.display()
        )),
    }
}

/// `dir/.name.stemma-tmp-PID`: beside the target so the rename stays on one file system.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.stemma-tmp-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_old_file_and_no_temp() {
        let dir = std::env::temp_dir().join(format!("stemma-output-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.json");
        fs::write(&target, "old").unwrap();
        let err = write_atomic(&target, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert!(!temp_path(&target).exists());
        write_atomic(&target, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn compressed_outputs_follow_the_extension() {
        use std::io::Read;
        let dir = std::env::temp_dir().join(format!("stemma-output-z-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let data = b"{\"id\":1}\n".repeat(100);
        for name in ["a.jsonl", "a.jsonl.gz", "a.JSONL.ZST"] {
            let path = dir.join(name);
            write_atomic_compressed(&path, |w| w.write_all(&data)).unwrap();
            let raw = fs::read(&path).unwrap();
            let back = match compression_of(&path) {
                Compression::None => raw,
                Compression::Gzip => {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(&raw[..])
                        .read_to_end(&mut out)
                        .unwrap();
                    out
                }
                Compression::Zstd => zstd::decode_all(&raw[..]).unwrap(),
            };
            assert_eq!(back, data, "{name}");
        }
        assert_eq!(compression_of(Path::new("-")), Compression::None);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writable_locations_are_checked_without_leaving_files() {
        let dir = std::env::temp_dir().join(format!("stemma-output-w-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        assert_eq!(check_writable(Path::new("-")), Ok(()));
        assert_eq!(check_writable(&dir.join("new.json")), Ok(()));
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            0,
            "the probe is removed"
        );
        let err = check_writable(&dir.join("no/such/x.json")).unwrap_err();
        assert!(
            err.contains("no/such") && err.contains("does not exist"),
            "{err}"
        );
        assert!(check_writable(&dir).unwrap_err().contains("directory"));
        fs::write(dir.join("file"), "x").unwrap();
        let err = check_writable(&dir.join("file/x.json")).unwrap_err();
        assert!(err.contains("not a directory"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_directory_is_a_clear_error() {
        let err = write_atomic(Path::new("/nonexistent-stemma-dir/x.json"), |w| {
            w.write_all(b"x")
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent-stemma-dir/x.json"),
            "{err}"
        );
    }
}
