//! Help-text adjustments made once on the clap command tree before parsing.

/// The shared matching flags say what they default to "with an index"; `commands` take no
/// index, so their help drops those notes (`[default: 0.8; with an index: ...]` becomes
/// `[default: 0.8]`). `dedup` also hides `--stdin-text`, which it refuses (it reads records).
pub fn without_index_notes(cli: clap::Command, commands: &[&str]) -> clap::Command {
    commands.iter().fold(cli, |cli, name| {
        cli.mut_subcommand(name, |sub| {
            let ids: Vec<String> = sub
                .get_arguments()
                .map(|a| a.get_id().to_string())
                .collect();
            let hide_stdin_text = *name == "dedup";
            ids.iter().fold(sub, |sub, id| {
                sub.mut_arg(id, |arg| {
                    let arg = if hide_stdin_text && id == "stdin_text" {
                        arg.hide(true)
                    } else {
                        arg
                    };
                    match arg.get_help().map(|h| h.to_string()) {
                        Some(help) if help.contains("; with an index") => {
                            arg.help(strip_index_note(&help))
                        }
                        _ => arg,
                    }
                })
            })
        })
    })
}

/// `help` without its `; with an index: ...` note (up to the closing `]`, or the end).
fn strip_index_note(help: &str) -> String {
    let Some(start) = help.find("; with an index") else {
        return help.to_string();
    };
    let rest = &help[start..];
    match rest.find(']') {
        Some(end) => format!("{}{}", &help[..start], &rest[end..]),
        None => format!("{}.", &help[..start]),
    }
}
