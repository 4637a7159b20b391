//! The Markdown report: the same story as the HTML page, for a wiki, an issue or a pull
//! request.
//!
//! # What it shows
//!
//! A header (command, counts, configuration, version), then per family: a members table (id,
//! outlet, published_at, tokens, stemma parent, cues), a stemma table (parent → child, kind,
//! confidence, the two strongest pieces of evidence), for each edge from a source outside the
//! corpus the child's cues that name a source, and for every edge from a document and every other
//! pair of the family: the figures, the direction verdict with its confidence, the evidence and
//! the passages, each quoted (its first 300 characters, `…` when cut; both sides when they
//! differ) with captions and boilerplate marked as weak evidence. Then related pairs that cross
//! families and the documents in no family.
//!
//! # Escaping guarantees
//!
//! Every untrusted string (ids, text, outlets, cues, evidence, metadata) goes through
//! `escape`: whitespace runs, newlines included, become one space (so nothing can end a table
//! row, a quote or a heading), `\ * _ ` [ ] < > | # & ~ $` are backslash-escaped (no emphasis,
//! code, link, image, raw HTML, entity, table cell or heading can be injected), a leading `-`,
//! `+`, `=` or `1.`/`1)` is escaped (no list or setext heading), `://` and `www.` are broken by
//! a backslash so GFM does not auto-link bare urls, and bidi controls and invisible characters
//! are shown as `⟨U+202E⟩`.
//!
//! # What it does not do
//!
//! It never quotes whole texts (the HTML page does), never links to a document's url, and does
//! not preserve the line structure of quoted passages.

use std::fmt::Write as _;

use super::json::{CueLine, DocumentLine, EvidenceLine, FamilyLine, PairLine, Report, Span};
use super::{cues_naming, is_label_hazard, plural, push_visible, visible_hazards, Lookup};

/// Prefix of a stemma parent that is a source outside the corpus.
const EXTERNAL: &str = "external:";
/// Characters quoted from each passage.
const QUOTE_CHARS: usize = 300;

/// `s` as one line of inert Markdown text, safe in a paragraph, a heading, a list item, a
/// quote or a table cell (see the module documentation).
pub(crate) fn escape(s: &str) -> String {
    escape_at(s, true)
}

/// [`escape`] for text that follows other text on its line: a leading `-`, `+`, `=` or `1.`
/// cannot start a block there, so it is left alone.
fn escape_inline(s: &str) -> String {
    escape_at(s, false)
}

fn escape_at(s: &str, line_start: bool) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = line.chars().collect();
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut out = String::with_capacity(line.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let next_is_slashes = chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/');
        let after_www = i >= 3
            && chars[i - 3..i]
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .eq("www".chars());
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if i == 0 && line_start => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i == digits && digits > 0 && line_start => {
                out.push('\\');
                out.push(c);
            }
            ':' if next_is_slashes => out.push_str("\\:"),
            '.' if after_www => out.push_str("\\."),
            c if is_label_hazard(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `s` (whitespace collapsed), `…` when cut, escaped.
fn clip(s: &str, max: usize) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = visible_hazards(&line);
    if line.chars().count() <= max {
        escape(&line)
    } else {
        let cut: String = line.chars().take(max).collect();
        format!("{}…", escape(cut.trim_end()))
    }
}

fn f2(x: f64) -> String {
    format!("{x:.2}")
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The report as Markdown. `texts[i]` is the original text of `report.documents[i]`.
pub fn render(report: &Report, texts: &[&str]) -> String {
    let mut o = String::new();
    let c = &report.config;
    let lookup = Lookup::new(report);
    let alone: Vec<&DocumentLine> = report
        .documents
        .iter()
        .filter(|d| !lookup.in_family(&d.id))
        .collect();
    let _ = write!(
        o,
        "# stemma {} report\n\n{} · {} · {} · {} in no family\n\nshingles {} · {} permutations · near-duplicate threshold {} · passages of {}+ tokens · stemma {} · schema {} v{}\n",
        escape_inline(&report.command),
        plural(report.documents.len(), "document", "documents"),
        plural(report.pairs.len(), "related pair", "related pairs"),
        plural(report.families.len(), "family", "families"),
        alone.len(),
        c.fingerprint.shingle,
        c.fingerprint.num_perm,
        c.relations.near_duplicate,
        c.relations.min_run_tokens,
        escape_inline(&report.stemma_version),
        escape_inline(&report.schema),
        report.schema_version
    );
    for w in &report.inputs.warnings {
        let _ = writeln!(o, "\n- warning: {}", escape(w));
    }
    for f in &report.families {
        family(&mut o, &lookup, texts, f);
    }
    let cross = lookup.pairs_across_families();
    if !cross.is_empty() {
        o.push_str("\n## Related pairs outside any single family\n\n| a | b | relation | jaccard | containment a / b | verbatim a / b |\n|---|---|---|---:|---:|---:|\n");
        for p in cross {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} / {} | {} / {} |",
                clip(&p.a, 60),
                clip(&p.b, 60),
                escape(&p.relation),
                f2(p.jaccard),
                f2(p.containment_a_in_b),
                f2(p.containment_b_in_a),
                pct(p.verbatim_coverage_a),
                pct(p.verbatim_coverage_b)
            );
        }
    }
    if !alone.is_empty() {
        let _ = writeln!(o, "\n## In no family ({})\n", alone.len());
        for d in alone {
            let mut line = format!("- {}", clip(&d.id, 100));
            for m in [d.outlet.as_deref(), d.published_at.as_deref()]
                .into_iter()
                .flatten()
            {
                let _ = write!(line, " · {}", clip(m, 60));
            }
            let _ = writeln!(line, " · {}", plural(d.tokens, "token", "tokens"));
            o.push_str(&line);
        }
    }
    o
}

fn doc<'a>(r: &Lookup<'a>, id: &str) -> Option<(usize, &'a DocumentLine)> {
    r.doc_index(id).zip(r.doc(id))
}

fn cues_summary(cues: &[CueLine]) -> String {
    cues.iter()
        .map(|c| {
            let mut s = format!("{} «{}»", escape(&c.kind), clip(&c.text, 50));
            if let Some(src) = &c.source {
                let _ = write!(s, " → {}", clip(src, 40));
            }
            if let Some(v) = &c.value {
                let _ = write!(s, " = {}", clip(v, 30));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn parent_md(p: Option<&str>) -> String {
    match p {
        None => "(root)".into(),
        Some(p) => match p.strip_prefix(EXTERNAL) {
            Some(x) => format!("{} (outside the corpus)", clip(x, 50)),
            None => clip(p, 60),
        },
    }
}

fn family(o: &mut String, r: &Lookup, texts: &[&str], f: &FamilyLine) {
    let _ = write!(
        o,
        "\n## Family {} ({}){}\n\n### Members\n\n| # | document | outlet | published | tokens | stemma parent | cues |\n|---:|---|---|---|---:|---|---|\n",
        escape_inline(&f.family),
        plural(f.members.len(), "document", "documents"),
        if f.capped {
            " — capped at the size limit: may be boilerplate or a template"
        } else {
            ""
        }
    );
    for (i, m) in f.members.iter().enumerate() {
        let d = doc(r, m).map(|(_, d)| d);
        let opt = |v: Option<&String>| v.map(|s| clip(s, 60)).unwrap_or_default();
        let parent = f
            .stemma
            .iter()
            .find(|e| &e.child == m)
            .map(|e| {
                format!(
                    "{} ({} {})",
                    parent_md(e.parent.as_deref()),
                    escape(&e.kind),
                    f2(e.confidence)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            clip(m, 80),
            opt(d.and_then(|d| d.outlet.as_ref())),
            opt(d.and_then(|d| d.published_at.as_ref())),
            d.map(|d| d.tokens.to_string()).unwrap_or_default(),
            parent,
            d.map(|d| cues_summary(&d.cues)).unwrap_or_default()
        );
    }
    if !f.stemma.is_empty() {
        o.push_str("\n### Stemma\n\n| parent | child | kind | confidence | strongest evidence |\n|---|---|---|---:|---|\n");
        for e in &f.stemma {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                parent_md(e.parent.as_deref()),
                clip(&e.child, 60),
                escape(&e.kind),
                f2(e.confidence),
                top_evidence(&e.evidence)
            );
        }
        for e in &f.stemma {
            let Some(name) = e.parent.as_deref().and_then(|p| p.strip_prefix(EXTERNAL)) else {
                continue;
            };
            let cues = doc(r, &e.child).map(|(_, d)| &d.cues[..]).unwrap_or(&[]);
            let naming: Vec<CueLine> = cues_naming(cues, name).into_iter().cloned().collect();
            let sourced: Vec<CueLine> = cues
                .iter()
                .filter(|c| c.source.is_some())
                .cloned()
                .collect();
            let _ = writeln!(
                o,
                "\n{} (outside the corpus) → {}: {}",
                clip(name, 60),
                clip(&e.child, 60),
                if !naming.is_empty() {
                    format!("cues naming it: {}.", cues_summary(&naming))
                } else if !sourced.is_empty() {
                    format!(
                        "no cue names it; cues naming a source: {}.",
                        cues_summary(&sourced)
                    )
                } else {
                    "no cue in the text names a source.".to_string()
                }
            );
        }
    }
    // Comparisons: edges from a document (parent first), then the family's other pairs.
    let mut shown: Vec<*const PairLine> = Vec::new();
    for e in &f.stemma {
        let Some(p) = e.parent.as_deref().filter(|p| !p.starts_with(EXTERNAL)) else {
            continue;
        };
        if let Some((pair, swapped)) = find_pair(r, p, &e.child) {
            let head = format!(
                "{} → {} · {} · stemma edge {} {}",
                clip(p, 60),
                clip(&e.child, 60),
                escape(&pair.relation),
                escape(&e.kind),
                f2(e.confidence)
            );
            compare(o, r, texts, pair, swapped, &head);
            shown.push(pair);
        }
    }
    for fp in &f.pairs {
        if let Some((pair, _)) = find_pair(r, &fp.a, &fp.b) {
            if !shown.contains(&(pair as *const _)) {
                let head = format!(
                    "{} ~ {} · {}",
                    clip(&pair.a, 60),
                    clip(&pair.b, 60),
                    escape(&pair.relation)
                );
                compare(o, r, texts, pair, false, &head);
                shown.push(pair);
            }
        }
    }
}

fn find_pair<'a>(r: &Lookup<'a>, x: &str, y: &str) -> Option<(&'a PairLine, bool)> {
    r.pair_either(x, y)
}

/// The two strongest pieces of evidence, for a table cell.
fn top_evidence(ev: &[EvidenceLine]) -> String {
    let mut ev: Vec<&EvidenceLine> = ev.iter().collect();
    ev.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    ev.iter()
        .take(2)
        .map(|e| {
            format!(
                "{} ({}): {}",
                escape(&e.signal),
                f2(e.weight),
                clip(&e.reason, 160)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn char_slice(text: &str, s: Span) -> String {
    let end = s.end.max(s.start);
    text.chars().skip(s.start).take(end - s.start).collect()
}

fn compare(o: &mut String, r: &Lookup, texts: &[&str], p: &PairLine, swapped: bool, head: &str) {
    let (l, rt) = super::pair_sides(p, swapped);
    let _ = write!(
        o,
        "\n### {head}\n\njaccard {} (estimated {}) · longest verbatim run {} tokens · {} shared shingles · simhash distance {}\n\n| | {} | {} |\n|---|---:|---:|\n| tokens | {} | {} |\n| shingles found in the other | {} | {} |\n| word pairs found in the other | {} | {} |\n| inside verbatim runs | {} | {} |\n",
        f2(p.jaccard),
        f2(p.estimated_jaccard),
        p.longest_run_tokens,
        p.shared_shingles,
        p.simhash_distance,
        clip(l.id, 40),
        clip(rt.id, 40),
        l.tokens,
        rt.tokens,
        f2(l.containment),
        f2(rt.containment),
        f2(l.bigrams),
        f2(rt.bigrams),
        pct(l.verbatim),
        pct(rt.verbatim)
    );
    if let (Some(x), Some(y)) = (l.passages, rt.passages) {
        let _ = writeln!(o, "| inside aligned passages | {} | {} |", pct(x), pct(y));
    }
    if let Some(d) = &p.direction {
        let verdict = match d.verdict.as_str() {
            "a->b" => format!("{} derives from {}", clip(&p.b, 60), clip(&p.a, 60)),
            "b->a" => format!("{} derives from {}", clip(&p.a, 60), clip(&p.b, 60)),
            "common-source" => "both derive from a common source, neither from the other".into(),
            other => escape(other),
        };
        let _ = writeln!(
            o,
            "\n**Direction:** {verdict} (confidence {})\n",
            f2(d.confidence)
        );
        for e in &d.evidence {
            let favors = match e.favors.as_str() {
                "a->b" => format!("{} → {}", clip(&p.a, 40), clip(&p.b, 40)),
                "b->a" => format!("{} → {}", clip(&p.b, 40), clip(&p.a, 40)),
                "none" => "nothing (context)".into(),
                other => escape(other),
            };
            let _ = writeln!(
                o,
                "- **{}** favors {favors} (weight {}): {}",
                escape(&e.signal),
                f2(e.weight),
                clip(&e.reason, 400)
            );
        }
    }
    if p.passages.is_empty() {
        return;
    }
    let text = |id: &str| doc(r, id).and_then(|(i, _)| texts.get(i).copied());
    let (lt, rtext) = (text(l.id), text(rt.id));
    let _ = writeln!(
        o,
        "\n**Passages** (numbered in the order of {}):",
        clip(&p.a, 60)
    );
    for (i, q) in p.passages.iter().enumerate() {
        let (ls, rs) = if swapped { (q.b, q.a) } else { (q.a, q.b) };
        let (ltok, rtok) = if swapped {
            (q.tokens_b, q.tokens_a)
        } else {
            (q.tokens_a, q.tokens_b)
        };
        let _ = write!(
            o,
            "\n**{}.** {} characters {}–{} · {} characters {}–{} · {ltok} / {rtok} tokens · {}",
            i + 1,
            clip(l.id, 40),
            ls.start,
            ls.end,
            clip(rt.id, 40),
            rs.start,
            rs.end,
            if q.exactness >= 0.9999 {
                "verbatim".to_string()
            } else {
                format!("exactness {}", f2(q.exactness))
            }
        );
        if let Some(bp) = &q.boilerplate {
            let _ = write!(o, " · *{}: weak evidence*", escape(bp));
        }
        o.push('\n');
        let quotes: Vec<(&str, String)> = [(l.id, lt, ls), (rt.id, rtext, rs)]
            .into_iter()
            .filter_map(|(id, t, s)| t.map(|t| (id, char_slice(t, s))))
            .collect();
        let same = quotes.len() == 2
            && quotes[0]
                .1
                .split_whitespace()
                .eq(quotes[1].1.split_whitespace());
        for (j, (id, quote)) in quotes.iter().enumerate() {
            if same && j == 1 {
                break;
            }
            let label = if same {
                String::new()
            } else {
                format!("*{}:* ", clip(id, 40))
            };
            let _ = writeln!(o, "\n> {label}{}", clip(quote, QUOTE_CHARS));
        }
        if quotes.is_empty() {
            o.push_str("\n(texts not given)\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn rendered() -> String {
        let (report, texts) = fixture::report();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        render(&report, &refs)
    }

    #[test]
    fn escape_neutralizes_markdown_html_and_line_structure() {
        assert_eq!(escape("a_b*c`d"), "a\\_b\\*c\\`d");
        assert_eq!(
            escape("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(
            escape("<img src=x onerror=alert(1)>"),
            "\\<img src=x onerror=alert(1)\\>"
        );
        assert_eq!(escape("a | b\nc"), "a \\| b c");
        assert_eq!(escape("# h"), "\\# h");
        assert_eq!(escape("- item"), "\\- item");
        assert_eq!(escape("+ item"), "\\+ item");
        assert_eq!(escape("12. item"), "12\\. item");
        assert_eq!(escape("3) item"), "3\\) item");
        assert_eq!(escape("2026-02-21"), "2026-02-21");
        assert_eq!(escape("&lt;"), "\\&lt;");
        assert_eq!(
            escape("see https://evil.example and www.evil.example"),
            "see https\\://evil.example and www\\.evil.example"
        );
        assert_eq!(escape("a\u{202E}b\u{200B}"), "a⟨U+202E⟩b⟨U+200B⟩");
        assert_eq!(escape("Tổng Bí thư Tô Lâm"), "Tổng Bí thư Tô Lâm");
        assert_eq!(escape_inline("0.1.0 - x"), "0.1.0 - x");
        assert_eq!(escape_inline("a<b>|"), "a\\<b\\>\\|");
    }

    #[test]
    fn report_has_tables_stemma_and_quoted_passages() {
        let md = rendered();
        assert!(md.contains("## Family F1 (3 documents)"));
        assert!(md.contains("| VNA (outside the corpus) | plo/ket-qua-chuyen-cong-du.txt | credited-external-source | 0.86 |"));
        assert!(md.contains("| (root) | en/agency.txt | root | 0.70 |"));
        assert!(md.contains("> Tổng Bí thư Tô Lâm đã tham dự Cuộc họp Khai mạc"));
        assert!(md.contains("*caption: weak evidence*"));
        assert!(md.contains("VNA (outside the corpus) → plo/ket-qua-chuyen-cong-du.txt: cues naming it: credit «Theo TTXVN» → VNA; photo-credit «Ảnh: TTXVN» → VNA."));
        assert!(md.contains("**Direction:** baomoi/tong-bi-thu-to-lam.txt derives from plo/ket-qua-chuyen-cong-du.txt (confidence 0.78)"));
        // The edge's parent is on the left.
        assert!(md.contains("### plo/ket-qua-chuyen-cong-du.txt → baomoi/tong-bi-thu-to-lam.txt"));
    }

    #[test]
    fn hostile_content_cannot_inject_markup_or_break_tables() {
        let md = rendered();
        for line in md.lines() {
            // Every raw '<', '[', '|' ... is escaped (or is the table syntax we wrote).
            let mut prev = ' ';
            for c in line.chars() {
                if matches!(c, '<' | '>' | '[' | ']' | '`' | '_' | '&' | '$') {
                    assert!(
                        prev == '\\' || (c == '>' && line.starts_with("> ") && prev == ' '),
                        "raw {c:?} in {line}"
                    );
                }
                prev = if prev == '\\' && c == '\\' { ' ' } else { c };
            }
            assert!(!line.chars().any(crate::report::is_bidi_control), "{line}");
        }
        assert!(md.contains("\\<script\\>alert(1)\\</script\\>"));
        assert!(md.contains("⟨U+202E⟩"));
        assert!(!md.contains("](javascript"));
        assert!(md.contains("\\<b\\>Lonely\\</b\\>"));
        // Table rows keep their column count whatever the cell text.
        let mut width = None;
        for line in md.lines() {
            if line.starts_with('|') {
                let cells = line.replace("\\|", "").matches('|').count();
                if line.starts_with("|---") || line.starts_with("|---:") {
                    width = Some(cells);
                } else if let Some(w) = width {
                    assert_eq!(cells, w, "{line}");
                }
            } else {
                width = None;
            }
        }
    }
}
