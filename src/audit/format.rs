//! Audit writers for people and scripts: text, JSON (schema `stemma.audit` v1) and GitHub
//! workflow annotations. Pure functions from an [`Audit`] to bytes; every untrusted string
//! (ids, paths, cue text) is escaped for its reader: [`terminal_safe`] for text,
//! serde for JSON, workflow-command escaping (`github_data`, `github_property`) for
//! annotations.
//!
//! # JSON schema `stemma.audit`, version 1
//!
//! ```text
//! {
//!   "schema": "stemma.audit", "schema_version": 1, "stemma_version": "0.1.0",
//!   "policy": { "checks": [..], "fail_on", "contamination_level", "min_confidence" },
//!   "inputs": { "inputs": N, "against": N },
//!   "summary": { "findings", "new", "unchanged", "stale", "fail_on_stale", "exit_code" },
//!   "findings": [ { "check", "key", "relation", "confidence"?, "source"?, "message", "state",
//!                   "occurrences": [ { "subject": DocRef, "region"?, "other"?: DocRef,
//!                                      "other_region"? } ] } ],
//!   "stale": [ baseline entry ],
//!   "credits": [ { "id", "parent", "kind", "confidence", "status", "credits", "reported",
//!                  "reason" } ]                                  // uncredited check only
//! }
//! DocRef: { "id", "path", "record_line"?, "content", "against"? }
//! Region: { "start_line", "start_column"?, "end_line"?, "end_column"? }   // 1-based, code points
//! ```
//!
//! Fields are only ever added within a schema version.

use crate::report::plural;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::baseline::Entry;
use super::{Audit, CreditNote, Finding, Policy, Region, State, SCHEMA, SCHEMA_VERSION};
use crate::report::terminal_safe;

/// What the writers need besides the audit.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Stale baseline entries fail the build.
    pub fail_on_stale: bool,
    /// The baseline file, when one is used (GitHub annotations of stale entries point at it).
    pub baseline: Option<String>,
}

/// The JSON audit report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The crate version that wrote it.
    pub stemma_version: String,
    /// Checks and thresholds.
    pub policy: Policy,
    /// Document counts.
    pub inputs: InputCounts,
    /// Counts and the exit code.
    pub summary: Summary,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Stale baseline entries.
    pub stale: Vec<Entry>,
    /// How each audited document's reuse is credited (`uncredited` only).
    pub credits: Vec<CreditNote>,
}

/// Document counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputCounts {
    /// Documents audited.
    pub inputs: usize,
    /// Reference documents (`--against`).
    pub against: usize,
}

/// Counts and the exit code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// All findings.
    pub findings: usize,
    /// Findings not in the baseline.
    pub new: usize,
    /// Findings in the baseline.
    pub unchanged: usize,
    /// Baseline entries no longer found.
    pub stale: usize,
    /// Whether stale entries fail the build.
    pub fail_on_stale: bool,
    /// 0 pass, 1 fail.
    pub exit_code: i32,
}

/// The JSON report of `audit`.
pub fn report(audit: &Audit, opts: &RenderOptions) -> AuditReport {
    let new = audit.new_findings();
    AuditReport {
        schema: SCHEMA.to_string(),
        schema_version: SCHEMA_VERSION,
        stemma_version: env!("CARGO_PKG_VERSION").to_string(),
        policy: audit.policy.clone(),
        inputs: InputCounts {
            inputs: audit.inputs,
            against: audit.against,
        },
        summary: Summary {
            findings: audit.findings.len(),
            new,
            unchanged: audit.findings.len() - new,
            stale: audit.stale.len(),
            fail_on_stale: opts.fail_on_stale,
            exit_code: audit.exit_code(opts.fail_on_stale),
        },
        findings: audit.findings.clone(),
        stale: audit.stale.clone(),
        credits: audit.credits.clone(),
    }
}

/// Pretty JSON with a trailing newline.
pub fn json(audit: &Audit, opts: &RenderOptions) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&report(audit, opts)).expect("serializable");
    out.push(b'\n');
    out
}

fn position(path: &str, region: Option<&Region>) -> String {
    match region {
        Some(r) => match r.start_column {
            Some(c) => format!("{path}:{}:{c}", r.start_line),
            None => format!("{path}:{}", r.start_line),
        },
        None => path.to_string(),
    }
}

/// The human summary.
pub fn text(audit: &Audit, opts: &RenderOptions) -> Vec<u8> {
    let t = |s: &str| terminal_safe(s).into_owned();
    let mut o = String::new();
    let checks: Vec<&str> = audit.policy.checks.iter().map(|c| c.as_str()).collect();
    let _ = writeln!(
        o,
        "stemma audit: {} input documents, {} reference documents (--against); checks: {}",
        audit.inputs,
        audit.against,
        checks.join(", ")
    );
    let _ = writeln!(
        o,
        "  duplicates at {} or stronger; contamination at {} or stronger; uncredited at confidence >= {:.2}",
        audit.policy.fail_on, audit.policy.contamination_level, audit.policy.min_confidence
    );
    let new = audit.new_findings();
    let code = audit.exit_code(opts.fail_on_stale);
    let _ = writeln!(
        o,
        "{}: {}, {} accepted in the baseline, {}{}\n",
        if code == 0 { "PASS" } else { "FAIL" },
        plural(new, "new finding", "new findings"),
        audit.findings.len() - new,
        plural(
            audit.stale.len(),
            "stale baseline entry",
            "stale baseline entries"
        ),
        if opts.fail_on_stale {
            " (stale entries fail)"
        } else {
            ""
        }
    );
    for f in &audit.findings {
        let first = &f.occurrences[0];
        let state = match f.state {
            State::New => "NEW",
            State::Unchanged => "baseline",
        };
        let _ = writeln!(
            o,
            "{} [{}] {}  {}",
            f.check,
            state,
            t(&position(&first.subject.path, first.region.as_ref())),
            t(&f.relation)
        );
        let _ = writeln!(o, "    {}", t(&f.message));
        for occ in &f.occurrences {
            let other = occ
                .other
                .as_ref()
                .map(|d| format!(" ~ {}", position(&d.path, occ.other_region.as_ref())))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "    at {}{}",
                t(&position(&occ.subject.path, occ.region.as_ref())),
                t(&other)
            );
        }
        let _ = writeln!(o, "    key {}", t(&f.key));
    }
    if !audit.credits.is_empty() {
        let _ = writeln!(
            o,
            "\nhow reuse is credited (uncredited check; a picture credit does not credit the text):"
        );
        for c in &audit.credits {
            let _ = writeln!(
                o,
                "  {}  {}  <- {}  [{}, confidence {:.2}]{}",
                t(&c.id),
                c.status,
                t(c.parent.as_deref().unwrap_or("(root)")),
                c.kind,
                c.confidence,
                if c.reported { "  REPORTED" } else { "" }
            );
            for cr in &c.credits {
                let _ = writeln!(o, "      credit: {}", t(cr));
            }
            let _ = writeln!(o, "      {}", t(&c.reason));
        }
    }
    if !audit.stale.is_empty() {
        let _ = writeln!(
            o,
            "\nstale baseline entries (no longer found; remove them with --update-baseline):"
        );
        for e in &audit.stale {
            let _ = writeln!(
                o,
                "  {} {}  (was {}: {})",
                e.check,
                t(&e.key),
                t(&e.relation),
                t(&e.ids.join(", "))
            );
        }
    }
    o.into_bytes()
}

/// Escapes the message part of a workflow command (`%`, CR, LF).
pub(crate) fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (`%`, CR, LF, `:`, `,`).
pub(crate) fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: `::error` per new finding (file, line, column of its first
/// occurrence), `::warning` per stale entry (`::error` with `fail_on_stale`), then a summary
/// line. Findings accepted in the baseline are counted in the summary only.
pub fn github(audit: &Audit, opts: &RenderOptions) -> Vec<u8> {
    let mut o = String::new();
    for f in audit.findings.iter().filter(|f| f.state == State::New) {
        let first = &f.occurrences[0];
        let mut props = format!("file={}", github_property(&first.subject.path));
        if let Some(r) = &first.region {
            let _ = write!(props, ",line={}", r.start_line);
            if let Some(c) = r.start_column {
                let _ = write!(props, ",col={c}");
            }
            if let Some(l) = r.end_line {
                let _ = write!(props, ",endLine={l}");
            }
            if let Some(c) = r.end_column {
                let _ = write!(props, ",endColumn={c}");
            }
        }
        let title = format!("stemma {}: {}", f.check, f.relation);
        let _ = writeln!(
            o,
            "::error {props},title={}::{}",
            github_property(&title),
            github_data(&format!("{} [key {}]", f.message, f.key))
        );
    }
    for e in &audit.stale {
        let level = if opts.fail_on_stale {
            "error"
        } else {
            "warning"
        };
        let file = opts
            .baseline
            .as_deref()
            .map(|b| format!("file={},", github_property(b)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "::{level} {file}title={}::{}",
            github_property(&format!("stemma {}: stale baseline entry", e.check)),
            github_data(&format!(
                "{} is no longer found (was {} of {}); remove it with --update-baseline",
                e.key,
                e.relation,
                e.ids.join(", ")
            ))
        );
    }
    let new = audit.new_findings();
    let _ = writeln!(
        o,
        "stemma audit: {}, {} accepted in the baseline, {}",
        plural(new, "new finding", "new findings"),
        audit.findings.len() - new,
        plural(
            audit.stale.len(),
            "stale baseline entry",
            "stale baseline entries"
        )
    );
    o.into_bytes()
}
