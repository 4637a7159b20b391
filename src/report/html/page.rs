//! The page around the families: `<head>` with the stylesheet and the content policy, the
//! header (counts, configuration, warnings, legend, table of contents), related pairs across
//! families and documents in no family.

use std::fmt::Write as _;

use super::sha256::{base64, sha256};
use super::*;

pub(super) fn head(o: &mut String, r: &Report) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'sha256-{}'; base-uri 'none'; form-action 'none'\">\n\
<meta name=\"referrer\" content=\"no-referrer\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>stemma {} report</title>\n<style>\n{CSS}",
        base64(&sha256(SCRIPT.as_bytes())),
        esc(&r.command)
    );
    // Hovering passage N outlines passage N on the other side (no script needed).
    let max = r.pairs.iter().map(|p| p.passages.len()).max().unwrap_or(0);
    for n in 1..=max.min(MAX_LINKED) {
        let _ = writeln!(
            o,
            ".cmp:has(mark[data-n=\"{n}\"]:hover) mark[data-n=\"{n}\"]{{outline:2px solid var(--acc)}}"
        );
    }
    o.push_str("</style>\n</head>\n<body>\n<main>\n");
}

pub(super) fn header(o: &mut String, ctx: &Ctx, order: &[usize], open: usize) {
    let r = ctx.report;
    let alone = r
        .documents
        .iter()
        .filter(|d| !ctx.lookup.in_family(&d.id))
        .count();
    let c = &r.config;
    let policy = match c.family_policy {
        crate::config::FamilyPolicy::Strict => "strict",
        crate::config::FamilyPolicy::Connected => "connected",
    };
    let _ = write!(
        o,
        "<header>\n<h1>stemma {} report</h1>\n<p class=\"meta\">{} · {} · {} · {} in no family</p>\n\
<p class=\"meta\">shingles {} · {} permutations · near-duplicate threshold {} · passages of {}+ tokens · family policy {} · stemma {} · schema {} v{}</p>\n",
        esc(&r.command),
        plural(r.documents.len(), "document", "documents"),
        plural(r.pairs.len(), "related pair", "related pairs"),
        plural(r.families.len(), "family", "families"),
        alone,
        c.fingerprint.shingle,
        c.fingerprint.num_perm,
        c.relations.near_duplicate,
        c.relations.min_run_tokens,
        policy,
        esc(&r.stemma_version),
        esc(&r.schema),
        r.schema_version
    );
    let i = &r.inputs;
    if i.skipped_files + i.bad_records + i.truncated > 0 {
        let _ = writeln!(
            o,
            "<p class=\"meta\">inputs: {} files read, {} skipped (unsupported type), {} bad records skipped, {} documents truncated</p>",
            i.files_read, i.skipped_files, i.bad_records, i.truncated
        );
    }
    if !i.warnings.is_empty() {
        let _ = write!(
            o,
            "<details><summary class=\"meta\">{}</summary><ul class=\"cues\">",
            plural(i.warnings.len(), "warning", "warnings")
        );
        for w in &i.warnings {
            let _ = write!(o, "<li>{}</li>", esc(w));
        }
        o.push_str("</ul></details>\n");
    }
    o.push_str(
        "<div class=\"card legend\"><span><span class=\"sw\"></span>shared passage (verbatim)</span>\
<span><span class=\"sw ne\"></span>shared passage with small edits</span>\
<span><span class=\"sw bp\"></span>caption or boilerplate (weak evidence)</span>\
<span><span class=\"sw cue\"></span>cue: credit, date, byline, outlet tag</span>\
<span><span class=\"sw ext\"></span>source outside the corpus</span>\
<span>¹ ² …: the same number marks the same passage on both sides</span></div>\n<nav>",
    );
    if !r.families.is_empty() {
        o.push_str("<a href=\"#index\">families by size</a>");
    }
    if !ctx.lookup.pairs_across_families().is_empty() {
        o.push_str("<a href=\"#cross\">pairs across families</a>");
    }
    if alone > 0 {
        let _ = write!(o, "<a href=\"#alone\">in no family ({alone})</a>");
    }
    o.push_str("</nav>\n</header>\n");
    index(o, ctx, order, open);
}

/// The families, largest first, one row each (id, size, pairs, relations, first members),
/// with a filter box the page's script shows and drives (without it the box stays hidden and
/// the table is whole).
fn index(o: &mut String, ctx: &Ctx, order: &[usize], open: usize) {
    let r = ctx.report;
    if r.families.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<section id=\"index\"><h2>Families by size <span class=\"badge\">{}</span></h2>",
        plural(r.families.len(), "family", "families")
    );
    if r.families.len() > open {
        let _ = writeln!(
            o,
            "<p class=\"meta\">The {} shown open below; the others open when clicked or followed from this table.</p>",
            match open {
                0 => "families are not".to_string(),
                1 => "largest family is".to_string(),
                n => format!("{n} largest families are"),
            }
        );
    }
    o.push_str("<p class=\"filter\" hidden><input type=\"search\" id=\"filter\" placeholder=\"filter: document id, family, relation\" aria-label=\"filter the families\"> <span id=\"shown\" class=\"meta\"></span></p>\n\
<table id=\"families\"><thead><tr><th>family</th><th class=\"n\">documents</th><th class=\"n\">pairs</th><th>relations</th><th>members</th></tr></thead><tbody>\n");
    for &fi in order {
        let f = &r.families[fi];
        let mut relations: Vec<&str> = f.pairs.iter().map(|p| p.relation.as_str()).collect();
        relations.sort_unstable();
        relations.dedup();
        let ids: Vec<String> = f.members.iter().map(|m| esc(m)).collect();
        let shown: Vec<String> = f
            .members
            .iter()
            .take(INDEX_MEMBERS)
            .map(|m| id_html(m, 40))
            .collect();
        let more = f.members.len().saturating_sub(INDEX_MEMBERS);
        let _ = writeln!(
            o,
            "<tr data-ids=\"{}\"><td><a href=\"#fam{fi}\">{}</a>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}{}</td></tr>",
            ids.join(" | "),
            esc(&short(&f.family, 24)),
            if f.capped {
                " <span class=\"badge hot\">capped</span>"
            } else {
                ""
            },
            f.members.len(),
            f.pairs.len(),
            esc(&relations.join(", ")),
            shown.join(", "),
            if more > 0 {
                format!(" <span class=\"meta\">+{more}</span>")
            } else {
                String::new()
            }
        );
    }
    o.push_str("</tbody></table></section>\n");
    // Right after the table it filters: usable while the rest of the page is being read.
    let _ = writeln!(o, "<script>{SCRIPT}</script>");
}

/// Related pairs whose documents are not in one family.
pub(super) fn crossing(o: &mut String, ctx: &Ctx) {
    let cross = ctx.lookup.pairs_across_families();
    if cross.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<section id=\"cross\"><h2>Related pairs outside any single family <span class=\"badge\">{}</span></h2>\n<p class=\"meta\">Kept apart because the other members of their families share nothing with one of them.</p>",
        plural(cross.len(), "pair", "pairs"),
    );
    let folded = cross.len() > FOLD_LIST;
    let mut list = String::from("<table><thead><tr><th>a</th><th>b</th><th>relation</th><th class=\"n\">jaccard</th><th class=\"n\">containment a / b</th><th class=\"n\">verbatim a / b</th></tr></thead><tbody>\n",
    );
    for p in cross {
        let _ = writeln!(
            list,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} / {}</td><td class=\"n\">{} / {}</td></tr>",
            id_html(&p.a, 50),
            id_html(&p.b, 50),
            esc(&p.relation),
            f2(p.jaccard),
            f2(p.containment_a_in_b),
            f2(p.containment_b_in_a),
            pct(p.verbatim_coverage_a),
            pct(p.verbatim_coverage_b)
        );
    }
    list.push_str("</tbody></table>");
    fold(o, &list, folded);
    o.push_str("</section>\n");
}

/// A long list folded in a closed `<details>` (kept as inert text until opened:
/// [`super::lazy`]) when `folded`, else written as is.
fn fold(o: &mut String, list: &str, folded: bool) {
    if folded {
        o.push_str("<details><summary class=\"meta\">show them</summary>\n");
        lazy::body(o, list, true);
        o.push_str("</details>");
    } else {
        o.push_str(list);
    }
}

/// Documents in no family.
pub(super) fn alone(o: &mut String, ctx: &Ctx) {
    let r = ctx.report;
    let docs: Vec<&DocumentLine> = r
        .documents
        .iter()
        .filter(|d| !ctx.lookup.in_family(&d.id))
        .collect();
    if docs.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<section id=\"alone\"><h2>In no family <span class=\"badge\">{}</span></h2>",
        plural(docs.len(), "document", "documents"),
    );
    let folded = docs.len() > FOLD_LIST;
    let mut list = String::from("<ul>");
    for d in docs {
        let meta: Vec<String> = [
            d.outlet.as_deref(),
            d.published_at.as_deref(),
            d.title.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(|s| esc(&short(s, 80)))
        .chain(std::iter::once(plural(d.tokens, "token", "tokens")))
        .collect();
        let _ = write!(
            list,
            "<li>{} <span class=\"meta\">{}</span></li>",
            id_html(&d.id, 80),
            meta.join(" · ")
        );
    }
    list.push_str("</ul>");
    fold(o, &list, folded);
    o.push_str("</section>\n");
}
