//! The `stemma` command. Parsing and running live in `cli`; this file only decides the exit
//! code: 0 success, 1 findings (audit), 2 error, 128 + the signal number when interrupted
//! (130 for Ctrl-C). A broken pipe exits quietly.

mod cli;

fn main() {
    // A write past a file-size limit (`ulimit -f`) must fail with an error the output code can
    // report and clean up after (EFBIG), not kill the process with SIGXFSZ half-way.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" has no preconditions.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    #[cfg(unix)]
    on_interrupt_remove_temporary_files();
    let code = match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                0
            } else {
                eprintln!("stemma: error: {}", message(&err));
                2
            }
        }
    };
    std::process::exit(code);
}

/// The error and its causes, each once: library errors do not repeat their source in their
/// own message.
fn message(err: &anyhow::Error) -> String {
    err.chain()
        .map(|cause| cause.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

/// Ctrl-C, `kill` and a closed terminal (SIGINT, SIGTERM, SIGHUP) stop the program without
/// leaving temporary files or an index lock behind: the signals are blocked in every thread
/// (threads inherit the mask, so this runs before any is started) and one thread waits for
/// them, removes the files registered as pending (`stemma::output::exit_removing_temporary_files`) and exits
/// with 128 + the signal number. Outputs are renamed into place whole, and an index commits by
/// renaming its manifest, so what a user had before stays as it was.
#[cfg(unix)]
fn on_interrupt_remove_temporary_files() {
    // SAFETY: sigset_t is plain data initialised by sigemptyset before use; the calls have no
    // other preconditions, and the mask only affects this thread and those it starts.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return; // signals keep their default action
        }
        set
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut sig: libc::c_int = 0;
            // SAFETY: `set` is a valid, initialised signal set; `sig` is a valid out pointer.
            if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                return;
            }
            stemma::output::exit_removing_temporary_files(128 + sig, |removed| {
                eprintln!(
                    "stemma: interrupted; {removed} temporary file(s) removed, existing outputs and indexes left as they were"
                )
            });
        });
    if spawned.is_err() {
        // No waiting thread: restore the default actions rather than ignore the signals.
        // SAFETY: as above.
        unsafe {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}
