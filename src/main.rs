//! The `stemma` command. Parsing and running live in `cli`; this file only decides the exit
//! code: 0 success, 1 findings (audit), 2 error. A broken pipe exits quietly.

mod cli;

fn main() {
    // A write past a file-size limit (`ulimit -f`) must fail with an error the output code can
    // report and clean up after (EFBIG), not kill the process with SIGXFSZ half-way.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" has no preconditions.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
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

/// The error and its causes, skipping a cause whose text the message already quotes (library
/// errors name their source in their own message).
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}
