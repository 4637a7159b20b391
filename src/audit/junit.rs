//! JUnit XML (the Ant / Surefire / Jenkins format, `tests/schemas/junit-10.xsd`): a pure
//! function from an [`Audit`] to bytes.
//!
//! `<testsuites>` holds one `<testsuite name="stemma.audit.CHECK">` per check that ran, with
//! one `<testcase>` per finding key (`name` = `SUBJECT-ID [KEY]`, `classname` =
//! `stemma.audit.CHECK`): a new finding has a `<failure>`; a finding accepted in the baseline is
//! `<skipped>`; a stale baseline entry is a test case with a `<failure>` when stale entries fail
//! the build, else `<skipped>`. A check with nothing to report has one passing case
//! `no findings`, so dashboards show it green. All text is XML-escaped, and characters XML 1.0
//! cannot carry (most C0 controls, U+FFFE, U+FFFF) are written as `\u{..}`.

use std::fmt::Write as _;

use super::format::RenderOptions;
use super::{Audit, State};

/// `s` escaped for an XML attribute value (line breaks and tabs as character references).
pub(crate) fn xml_escape(s: &str) -> String {
    escape(s, true)
}

/// `s` escaped for XML element text (line breaks and tabs kept).
pub(crate) fn xml_text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\n' | '\t' if !attribute => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

enum Outcome {
    Pass,
    Failure { kind: String, message: String },
    Skipped(String),
}

struct Case {
    name: String,
    outcome: Outcome,
    detail: String,
}

/// The JUnit XML document.
pub fn junit(audit: &Audit, opts: &RenderOptions) -> Vec<u8> {
    let mut suites = String::new();
    let (mut all_tests, mut all_failures) = (0usize, 0usize);
    for &check in &audit.policy.checks {
        let mut cases: Vec<Case> = Vec::new();
        for f in audit.findings.iter().filter(|f| f.check == check) {
            let first = &f.occurrences[0];
            let mut detail = format!("{}\nkey: {}\n", f.message, f.key);
            for occ in &f.occurrences {
                let _ = writeln!(
                    detail,
                    "at {}{}",
                    occ.subject.path,
                    occ.other
                        .as_ref()
                        .map(|o| format!(" ~ {}", o.path))
                        .unwrap_or_default()
                );
            }
            cases.push(Case {
                name: format!("{} [{}]", first.subject.id, f.key),
                outcome: match f.state {
                    State::New => Outcome::Failure {
                        kind: f.relation.clone(),
                        message: f.message.clone(),
                    },
                    State::Unchanged => {
                        Outcome::Skipped("accepted in the stemma audit baseline".into())
                    }
                },
                detail,
            });
        }
        for e in audit.stale.iter().filter(|e| e.check == check) {
            let message = format!(
                "stale baseline entry: no longer found (was {} of {}); remove it with --update-baseline",
                e.relation,
                e.ids.join(", ")
            );
            cases.push(Case {
                name: format!("stale baseline entry [{}]", e.key),
                outcome: if opts.fail_on_stale {
                    Outcome::Failure {
                        kind: "stale-baseline-entry".into(),
                        message: message.clone(),
                    }
                } else {
                    Outcome::Skipped(message.clone())
                },
                detail: message,
            });
        }
        if cases.is_empty() {
            cases.push(Case {
                name: "no findings".into(),
                outcome: Outcome::Pass,
                detail: String::new(),
            });
        }
        let failures = cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failure { .. }))
            .count();
        let skipped = cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Skipped(_)))
            .count();
        all_tests += cases.len();
        all_failures += failures;
        let suite = format!("stemma.audit.{}", check.as_str());
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
            xml_escape(&suite),
            cases.len()
        );
        for c in &cases {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
                xml_escape(&c.name),
                xml_escape(&suite)
            );
            match &c.outcome {
                Outcome::Pass => {
                    let _ = writeln!(suites, "{open}/>");
                }
                Outcome::Failure { kind, message } => {
                    let _ = writeln!(
                        suites,
                        "{open}>\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                        xml_escape(kind),
                        xml_escape(message),
                        xml_text(&c.detail)
                    );
                }
                Outcome::Skipped(message) => {
                    let _ = writeln!(
                        suites,
                        "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml_escape(message)
                    );
                }
            }
        }
        suites.push_str("  </testsuite>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stemma audit\" tests=\"{all_tests}\" failures=\"{all_failures}\" errors=\"0\" time=\"0\">"
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out.into_bytes()
}
