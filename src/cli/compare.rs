//! `stemma compare A B`: two documents side by side in the terminal: figures, relation,
//! aligned passages, cues and direction evidence.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use stemma::corpus::{read_inputs, Document};
use stemma::provenance::compare;
use stemma::provenance::cues::AgencyTable;
use stemma::report::terminal_safe;

use super::{InputArgs, MatchArgs};

/// Arguments of `stemma compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first document (a text file, or a JSONL file holding exactly one record).
    #[arg(value_name = "A")]
    a: PathBuf,
    /// The second document.
    #[arg(value_name = "B")]
    b: PathBuf,
    /// Width of each side of a passage, in characters.
    #[arg(long, default_value_t = 60, value_name = "CHARS")]
    width: usize,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

fn one(path: &PathBuf, args: &InputArgs) -> Result<Document> {
    let mut read = read_inputs(std::slice::from_ref(path), &args.read_options())?;
    match read.documents.len() {
        1 => Ok(read.documents.remove(0)),
        n => bail!(
            "{}: holds {n} documents; compare takes exactly one document per argument",
            path.display()
        ),
    }
}

/// Runs `stemma compare`.
pub fn run(args: CompareArgs) -> Result<i32> {
    args.matching.init_threads()?;
    let config = args.matching.config()?;
    let (a, b) = (one(&args.a, &args.input)?, one(&args.b, &args.input)?);
    let c = compare(&a, &b, &config, &AgencyTable::builtin());
    let f = &c.figures;
    let mut out = String::new();
    let _ = writeln!(out, "A: {} ({} tokens)", terminal_safe(&a.id), f.tokens_a);
    let _ = writeln!(out, "B: {} ({} tokens)", terminal_safe(&b.id), f.tokens_b);
    let _ = writeln!(
        out,
        "relation: {}\njaccard {:.3}  containment A in B {:.3}  B in A {:.3}  bigram containment {:.3} / {:.3}\nverbatim {:.0}% / {:.0}%  longest run {} tokens",
        c.relation.map_or("none", |r| r.as_str()),
        f.jaccard,
        f.containment_a_in_b,
        f.containment_b_in_a,
        f.bigram_containment_a_in_b,
        f.bigram_containment_b_in_a,
        f.verbatim_coverage_a() * 100.0,
        f.verbatim_coverage_b() * 100.0,
        f.longest_run_tokens
    );
    let al = &c.trace.alignment;
    let _ = writeln!(
        out,
        "\n{} passages, covering {:.0}% of A and {:.0}% of B{}",
        al.passages.len(),
        al.coverage_a * 100.0,
        al.coverage_b * 100.0,
        if al.truncated { " (capped)" } else { "" }
    );
    let w = args.width.max(10);
    for (i, (p, mark)) in al.passages.iter().zip(&c.trace.marks).enumerate() {
        let snippet = |text: &str, r: stemma::align::Range32| {
            let s = &text[r.start as usize..r.end as usize];
            let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
            let cut: String = flat.chars().take(w).collect();
            let cut = if flat.chars().count() > w {
                format!("{cut}…")
            } else {
                cut
            };
            terminal_safe(&cut).into_owned()
        };
        let _ = writeln!(
            out,
            "  #{:<3} {:>4} tokens, exactness {:.2}{}\n       A: {}\n       B: {}",
            i + 1,
            p.a_tokens.end - p.a_tokens.start,
            p.exactness,
            mark.map(|m| format!(" [{}]", m.as_str()))
                .unwrap_or_default(),
            snippet(&a.text, p.a_bytes),
            snippet(&b.text, p.b_bytes)
        );
    }
    for (label, cues) in [("A", &c.cues[0]), ("B", &c.cues[1])] {
        if cues.is_empty() {
            continue;
        }
        let list: Vec<String> = cues
            .iter()
            .map(|cue| {
                let kind = serde_json::to_value(&cue.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                format!("{kind} \"{}\"", terminal_safe(&cue.text))
            })
            .collect();
        let _ = writeln!(out, "\ncues in {label}: {}", list.join(", "));
    }
    let d = &c.trace.direction;
    let _ = writeln!(
        out,
        "\ndirection: {} (confidence {:.2})",
        d.verdict.as_str(),
        d.confidence
    );
    for e in &d.evidence {
        let _ = writeln!(
            out,
            "  [{} {:.2} -> {}] {}",
            e.signal,
            e.weight,
            e.favors.as_str(),
            terminal_safe(&e.reason)
        );
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(0)
}
