//! Writing output files safely: never a half-written file.
//!
//! [`write_atomic`] writes to a temporary file next to the target, flushes and syncs it, then
//! renames it over the target, so a crash, a full disk or Ctrl-C leaves either the old file or
//! the new one. The path `-` means standard output.
//!
//! Temporary files (and an index's write lock) are registered as [`Pending`] while they exist,
//! so a program stopped by a signal can remove them with [`remove_pending`] before it exits:
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
/// while the value lives, so [`remove_pending`] can remove it.
#[derive(Debug)]
pub struct Pending {
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

impl Drop for Pending {
    fn drop(&mut self) {
        let mut list = pending();
        if let Some(i) = list.iter().rposition(|p| *p == self.path) {
            list.swap_remove(i);
        }
    }
}

/// Removes every registered file and returns how many were removed, for a process about to
/// exit on a signal. The registry stays locked afterwards, so no thread of the process
/// registers (creates) another file before it exits.
pub fn remove_pending() -> usize {
    let list = pending();
    let removed = list.iter().filter(|p| fs::remove_file(p).is_ok()).count();
    std::mem::forget(list);
    removed
}

use crate::error::{Error, Result};

/// Writes `path` atomically with `write`; `-` writes to standard output.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let fail = |source| Error::Write {
        path: path.to_path_buf(),
        source,
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
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// `dir/.name.stemma-tmp-PID`: beside the target so the rename stays on one file system.
pub fn temp_path(path: &Path) -> PathBuf {
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
