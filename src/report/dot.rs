//! The Graphviz DOT report: the stemmas as one graph (`dot -Tsvg report.dot > report.svg`).
//!
//! # What it shows
//!
//! One cluster per family. Nodes are documents (label: id, outlet, and `root` with its
//! confidence for a root) and sources outside the corpus (`external:<NAME>` parents: dashed
//! ellipses, one per family that names them). Stemma edges are arrows from parent to child
//! labelled with kind and confidence (dashed for a credited external source, dotted for a
//! common source). Related pairs that are not stemma edges (all pairs, for a `scan` report) are
//! grey dashed undirected edges labelled with their relation; they do not constrain the layout.
//! Documents in no family are plain nodes outside the clusters.
//!
//! # Escaping guarantees
//!
//! Every id is a double-quoted string. Node names are `d:<document id>` and `x<family>:<source
//! name>`, escaped injectively (`"` → `\"`, `\` → `\\`, newline → `\n`, carriage return →
//! `\r`, any other control, bidi or invisible character → `\u{202e}`), so two documents never
//! share a node and no raw control or bidi character reaches the file. Labels are built from
//! escaped lines: `"` and `\` are escaped (so no Graphviz escape such as `\N` or `\l` can be
//! injected), hazardous characters are shown as `⟨U+202E⟩`, and lines are joined with `\n`.
//! No `URL`, `href`, `image` or HTML-like (`<...>`) label is ever written.
//!
//! # What it does not do
//!
//! It does not lay the graph out (Graphviz does) and shows no texts or passages.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::json::{FamilyLine, Report};
use super::{is_label_hazard, visible_hazards, Lookup};

/// Prefix of a stemma parent that is a source outside the corpus.
const EXTERNAL: &str = "external:";
/// Characters per label line.
const LINE: usize = 48;

/// A quoted DOT node name, injective in `s`.
fn name(prefix: &str, s: &str) -> String {
    let mut out = format!("\"{prefix}");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_label_hazard(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A quoted DOT label of several lines of untrusted text, each shortened to [`LINE`] characters.
fn label(lines: &[&str]) -> String {
    label_max(lines, LINE)
}

/// [`label`] with lines of at most `max` characters.
fn label_max(lines: &[&str], max: usize) -> String {
    let mut out = String::from("\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("\\n");
        }
        let line = visible_hazards(line);
        let n = line.chars().count();
        for (j, c) in line.chars().enumerate() {
            if j + 1 == max && n > max {
                out.push('…');
                break;
            }
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
    }
    out.push('"');
    out
}

fn doc_node(id: &str) -> String {
    name("d:", id)
}

fn ext_node(fi: usize, source: &str) -> String {
    name(&format!("x{fi}:"), source)
}

/// The node of a stemma parent: a document or a source outside the corpus.
fn parent_node(fi: usize, p: &str) -> String {
    match p.strip_prefix(EXTERNAL) {
        Some(x) => ext_node(fi, x),
        None => doc_node(p),
    }
}

/// The report as a Graphviz digraph.
pub fn render(report: &Report) -> String {
    let mut o = String::new();
    let title = format!(
        "stemma {}: {}, {}, {}",
        report.command,
        super::plural(report.documents.len(), "document", "documents"),
        super::plural(report.pairs.len(), "related pair", "related pairs"),
        super::plural(report.families.len(), "family", "families")
    );
    let _ = writeln!(
        o,
        "digraph \"stemma\" {{\n  graph [rankdir=TB, labelloc=t, fontname=\"Helvetica,Arial,sans-serif\", fontsize=12, label={}];\n  node [shape=box, style=rounded, fontname=\"Helvetica,Arial,sans-serif\", fontsize=10];\n  edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=9, color=\"#4a5260\"];",
        label_max(&[&title], 200)
    );
    let lookup = Lookup::new(report);
    let outlet = |id: &str| {
        lookup
            .doc(id)
            .and_then(|d| d.outlet.clone())
            .unwrap_or_default()
    };
    for (fi, f) in report.families.iter().enumerate() {
        cluster(&mut o, fi, f, &outlet);
    }
    // Documents in no family, and stemma parents that are not in the report.
    for d in report.documents.iter().filter(|d| !lookup.in_family(&d.id)) {
        let out = d.outlet.as_deref().unwrap_or_default();
        let _ = writeln!(o, "  {} [label={}];", doc_node(&d.id), label(&[&d.id, out]));
    }
    let mut declared: HashSet<&str> = HashSet::new();
    for f in &report.families {
        for p in f.stemma.iter().filter_map(|e| e.parent.as_deref()) {
            let known = p.starts_with(EXTERNAL)
                || lookup.in_family(p)
                || lookup.doc_index(p).is_some()
                || declared.contains(p);
            if !known {
                declared.insert(p);
                let _ = writeln!(
                    o,
                    "  {} [label={}, style=\"rounded,dotted\"];",
                    doc_node(p),
                    label(&[p, "not in the report"])
                );
            }
        }
    }
    // Edges at the top level, so no node is pulled into a second cluster.
    for (fi, f) in report.families.iter().enumerate() {
        for e in &f.stemma {
            let Some(p) = e.parent.as_deref() else {
                continue;
            };
            let style = match e.kind.as_str() {
                "credited-external-source" => ", style=dashed",
                "common-source" => ", style=dotted",
                _ => "",
            };
            let _ = writeln!(
                o,
                "  {} -> {} [label={}{style}];",
                parent_node(fi, p),
                doc_node(&e.child),
                label(&[&format!("{} {:.2}", e.kind, e.confidence)])
            );
        }
    }
    // (parent, child) of every stemma edge with a parent, for the pairs that are not edges.
    let stemma_edges: HashSet<(&str, &str)> = report
        .families
        .iter()
        .flat_map(|f| &f.stemma)
        .filter_map(|e| Some((e.parent.as_deref()?, e.child.as_str())))
        .collect();
    let in_stemma =
        |a: &str, b: &str| stemma_edges.contains(&(a, b)) || stemma_edges.contains(&(b, a));
    for p in report.pairs.iter().filter(|p| !in_stemma(&p.a, &p.b)) {
        let _ = writeln!(
            o,
            "  {} -> {} [dir=none, style=dashed, color=gray60, fontcolor=gray40, constraint=false, label={}];",
            doc_node(&p.a),
            doc_node(&p.b),
            label(&[&p.relation])
        );
    }
    o.push_str("}\n");
    o
}

fn cluster(o: &mut String, fi: usize, f: &FamilyLine, outlet: &dyn Fn(&str) -> String) {
    let _ = writeln!(
        o,
        "  subgraph \"cluster_{fi}\" {{\n    label={};\n    style=rounded;\n    color=gray70;",
        label(&[&format!(
            "family {} ({} documents){}",
            f.family,
            f.members.len(),
            if f.capped { ", capped" } else { "" }
        )])
    );
    let mut sources: Vec<&str> = Vec::new();
    for x in f
        .stemma
        .iter()
        .filter_map(|e| e.parent.as_deref()?.strip_prefix(EXTERNAL))
    {
        if !sources.contains(&x) {
            sources.push(x);
            let _ = writeln!(
                o,
                "    {} [label={}, shape=ellipse, style=dashed, color=gray40];",
                ext_node(fi, x),
                label(&[x, "(outside the corpus)"])
            );
        }
    }
    for m in &f.members {
        let out = outlet(m);
        let root = f
            .stemma
            .iter()
            .find(|e| e.parent.is_none() && &e.child == m)
            .map(|e| format!("root {:.2}", e.confidence));
        let mut lines = vec![m.as_str(), out.as_str()];
        if let Some(r) = &root {
            lines.push(r);
        }
        let _ = writeln!(
            o,
            "    {} [label={}{}];",
            doc_node(m),
            label(&lines),
            if root.is_some() { ", penwidth=2" } else { "" }
        );
    }
    o.push_str("  }\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    /// Checks the DOT lexically: strings closed, no raw newline in a string, braces and brackets
    /// balanced outside strings.
    fn assert_balanced(dot: &str) {
        let (mut in_str, mut escaped) = (false, false);
        let (mut braces, mut brackets) = (0i64, 0i64);
        let mut quotes = 0;
        for c in dot.chars() {
            if in_str {
                assert!(c != '\n', "raw newline inside a string");
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        in_str = false;
                        quotes += 1;
                    }
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => {
                    in_str = true;
                    quotes += 1;
                }
                '{' => braces += 1,
                '}' => braces -= 1,
                '[' => brackets += 1,
                ']' => brackets -= 1,
                _ => {}
            }
            assert!(braces >= 0 && brackets >= 0);
        }
        assert!(!in_str, "unterminated string");
        assert_eq!(quotes % 2, 0);
        assert_eq!((braces, brackets), (0, 0));
    }

    fn hostile() -> Report {
        let (mut report, _) = fixture::report();
        let evil = "a\"b\\c\nd} -> \"x\" [label=\\N]\u{202E}";
        report.documents[0].id = evil.into();
        report.documents[0].outlet = Some("\"];\ndigraph{\\l".into());
        report.families[0].members[0] = evil.into();
        report.families[0].stemma[1].child = evil.into();
        report.pairs[0].a = evil.into();
        report
    }

    #[test]
    fn escaping_is_injective_and_hides_nothing() {
        assert_eq!(name("d:", "a\"b\\c\nd"), "\"d:a\\\"b\\\\c\\nd\"");
        assert_ne!(name("d:", "a\nb"), name("d:", "a\\nb"));
        assert_eq!(name("d:", "x\u{202E}"), "\"d:x\\u{202e}\"");
        assert_eq!(
            label(&["a\"b\\N", "c\nd\u{2066}"]),
            "\"a\\\"b\\\\N\\nc⟨U+000A⟩d⟨U+2066⟩\""
        );
        let long = "x".repeat(100);
        assert_eq!(label(&[&long]).chars().count(), LINE + 2);
    }

    #[test]
    fn graph_has_clusters_external_sources_and_labelled_edges() {
        let (report, _) = fixture::report();
        let dot = render(&report);
        assert_balanced(&dot);
        assert_eq!(dot.matches("subgraph \"cluster_").count(), 2);
        assert!(dot.contains(
            "\"x0:VNA\" [label=\"VNA\\n(outside the corpus)\", shape=ellipse, style=dashed"
        ));
        assert!(dot.contains("\"x0:VNA\" -> \"d:plo/ket-qua-chuyen-cong-du.txt\" [label=\"credited-external-source 0.86\", style=dashed];"));
        assert!(dot.contains("\"d:plo/ket-qua-chuyen-cong-du.txt\" -> \"d:baomoi/tong-bi-thu-to-lam.txt\" [label=\"partial-reuse 0.78\"];"));
        assert!(dot.contains("root 0.70\", penwidth=2"));
        assert!(dot.contains("[dir=none, style=dashed"));
        for c in dot.chars() {
            assert!(!crate::report::is_bidi_control(c));
        }
    }

    #[test]
    fn hostile_ids_and_labels_stay_inside_their_strings() {
        let dot = render(&hostile());
        assert_balanced(&dot);
        assert!(dot.contains("\"d:a\\\"b\\\\c\\nd} -> \\\"x\\\" [label=\\\\N]\\u{202e}\""));
        assert!(dot.contains("\\\"];⟨U+000A⟩digraph{\\\\l"));
        assert_eq!(dot.matches("digraph \"stemma\"").count(), 1);
        assert!(!dot.chars().any(crate::report::is_bidi_control));
        assert!(!dot.to_lowercase().contains("url=") && !dot.contains("href"));
    }

    /// Runs Graphviz on both reports when `dot` is installed; skipped silently otherwise.
    #[test]
    fn graphviz_accepts_the_output_when_installed() {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let (plain, _) = fixture::report();
        for report in [plain, hostile()] {
            let dot = render(&report);
            let child = Command::new("dot")
                .arg("-Tsvg")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn();
            let Ok(mut child) = child else {
                return;
            };
            child
                .stdin
                .take()
                .unwrap()
                .write_all(dot.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "dot failed: {err}\n{dot}");
            assert!(!err.contains("rror"), "{err}");
            let svg = String::from_utf8_lossy(&out.stdout);
            assert!(svg.contains("<svg"));
            // Graphviz writes '-' as &#45; in SVG text.
            assert!(svg
                .replace("&#45;", "-")
                .contains("credited-external-source 0.86"));
            assert!(!svg.contains("<script"));
            assert!(!svg.contains("<img"));
        }
    }
}
