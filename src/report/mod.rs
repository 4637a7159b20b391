//! Reports: pure functions from an [`Analysis`](crate::pipeline::Analysis) to bytes.
//!
//! [`json`] defines the versioned JSON schema (its serde structs are separate from the internal
//! types, so a refactor cannot change the schema by accident) and the JSONL outputs; [`text`]
//! is the human summary printed by the CLI; [`html`] (one self-contained page), [`markdown`]
//! and [`dot`] (Graphviz) are the reports for people. Document text and ids are untrusted: every
//! format escapes or neutralizes what could be interpreted by its reader.

pub mod dot;
#[doc(hidden)]
pub mod fixture;
pub mod html;
pub mod json;
pub mod markdown;
pub mod text;

use std::borrow::Cow;

/// A string made safe for a terminal: control characters, bidi overrides and other invisible
/// format characters are shown as `\u{..}` escapes so an id cannot move the cursor, recolor
/// the terminal or reorder what is printed.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069): invisible, and able
/// to reorder the text displayed after it.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character an id or a label must not carry invisibly: control characters, bidi controls,
/// zero-width characters and marks, line/paragraph separators, word joiners and the BOM.
pub fn is_label_hazard(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Appends the visible stand-in of a hazardous character: `⟨U+202E⟩`.
pub fn push_visible(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "⟨U+{:04X}⟩", c as u32);
}

/// `s` with every [`is_label_hazard`] character replaced by its visible stand-in `⟨U+XXXX⟩`
/// (so a label can be shortened to a width after the stand-ins are counted).
pub fn visible_hazards(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_label_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_label_hazard(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `s` escaped for HTML element content *and* quoted attribute values (`&`, `<`, `>`,
/// `"`, `'`). With `label` (ids, outlets, cue text, reasons, metadata) every
/// [`is_label_hazard`] character is shown as a visible `⟨U+XXXX⟩`; without it (document body
/// text, shown with `white-space: pre-wrap`) newlines, tabs and zero-width characters are kept
/// and only bidi controls and other control characters are made visible.
pub fn push_html(out: &mut String, s: &str, label: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' if !label => out.push(c),
            c if is_bidi_control(c) || c.is_control() || (label && is_label_hazard(c)) => {
                push_visible(out, c)
            }
            c => out.push(c),
        }
    }
}

/// `s` escaped for HTML text or a quoted attribute value, hazards made visible (see
/// [`push_html`] with `label`). Safe in element content, in `"..."` or `'...'` attribute
/// values and in SVG `<text>`; never safe inside `<script>`, `<style>`, a URL or an event
/// handler, which is why no report puts untrusted data there.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_html(&mut out, s, true);
    out
}

/// The cues of a document that name `source` (a stemma parent `external:<source>`): their
/// `source` is `source` or their text contains it, ignoring case.
pub fn cues_naming<'a>(cues: &'a [json::CueLine], source: &str) -> Vec<&'a json::CueLine> {
    let name = source.to_lowercase();
    cues.iter()
        .filter(|c| {
            c.source.as_deref().map(str::to_lowercase).as_deref() == Some(name.as_str())
                || (!name.is_empty() && c.text.to_lowercase().contains(&name))
        })
        .collect()
}

/// One side of a pair's figures, for renderers that show two texts side by side.
pub struct PairSide<'a> {
    /// Document id.
    pub id: &'a str,
    /// Token count.
    pub tokens: usize,
    /// Share of its shingles found in the other text.
    pub containment: f64,
    /// Share of its word bigrams found in the other text.
    pub bigrams: f64,
    /// Share of its tokens inside verbatim runs.
    pub verbatim: f64,
    /// Share of its tokens inside aligned passages (trace only).
    pub passages: Option<f64>,
}

/// The two sides of a pair, left first; `swapped` puts B on the left.
pub fn pair_sides(p: &json::PairLine, swapped: bool) -> (PairSide<'_>, PairSide<'_>) {
    let a = PairSide {
        id: &p.a,
        tokens: p.tokens_a,
        containment: p.containment_a_in_b,
        bigrams: p.bigram_containment_a_in_b,
        verbatim: p.verbatim_coverage_a,
        passages: p.passage_coverage_a,
    };
    let b = PairSide {
        id: &p.b,
        tokens: p.tokens_b,
        containment: p.containment_b_in_a,
        bigrams: p.bigram_containment_b_in_a,
        verbatim: p.verbatim_coverage_b,
        passages: p.passage_coverage_b,
    };
    if swapped {
        (b, a)
    } else {
        (a, b)
    }
}

/// The related pairs whose two documents are not in one family (kept apart by the strict
/// family policy), in report order.
pub fn pairs_across_families(report: &json::Report) -> Vec<&json::PairLine> {
    let same = |a: &str, b: &str| {
        report
            .families
            .iter()
            .any(|f| f.members.iter().any(|m| m == a) && f.members.iter().any(|m| m == b))
    };
    report.pairs.iter().filter(|p| !same(&p.a, &p.b)).collect()
}

/// Rounds a ratio to 4 decimals for stable, readable output.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_escapes_controls_and_bidi() {
        assert_eq!(terminal_safe("a.txt"), "a.txt");
        assert_eq!(
            terminal_safe("a\x1b[31m\u{202E}b"),
            "a\\u{1b}[31m\\u{202e}b"
        );
    }

    #[test]
    fn html_escape_covers_markup_quotes_and_hazards() {
        assert_eq!(
            html_escape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(
            html_escape("a\u{202E}b\nc\u{200B}"),
            "a⟨U+202E⟩b⟨U+000A⟩c⟨U+200B⟩"
        );
        let mut body = String::new();
        push_html(&mut body, "Tổng Bí thư\n\u{2067}x\u{200B}\u{7}", false);
        assert_eq!(body, "Tổng Bí thư\n⟨U+2067⟩x\u{200B}⟨U+0007⟩");
    }
}
