//! Closed sections that cost (almost) nothing until opened.
//!
//! A closed `<details>` is not laid out, but its content is still parsed into the DOM: at 10k
//! families that parse was the whole load time (benches/runs/2026-12-07-html-scaling.md). So
//! the body of a closed section is written inside `<noscript class="lazy">`: with scripting on,
//! a browser parses `<noscript>` as raw text (one text node, read by a fast scan for
//! `</noscript`), and the page's script turns that text into markup when the section is opened;
//! with scripting off, `<noscript>` is ordinary markup and the section reads as if nothing had
//! been deferred. The bytes are the same markup either way.
//!
//! Safety: the body is markup written by this module's callers, where every untrusted string
//! is escaped (`&`, `<`, `>`, quotes), so it holds no `<` that is not one of the crate's own
//! tags, and no `</noscript`: the raw text cannot end early and nothing in it can become
//! markup that the eager page would not have had. A body that did contain `</noscript` (it
//! cannot today) is written eagerly rather than wrapped.

use std::fmt::Write as _;

/// Writes `body` after a section's `<summary>`: inside `<noscript class="lazy">` when `lazy`
/// and safe to wrap, as is otherwise.
pub(super) fn body(o: &mut String, body: &str, lazy: bool) {
    if lazy && can_wrap(body) {
        let _ = writeln!(o, "<noscript class=\"lazy\">{body}</noscript>");
    } else {
        o.push_str(body);
    }
}

/// `true` when `body` can sit in a `<noscript>` raw text: no `</noscript` in any case.
pub(super) fn can_wrap(body: &str) -> bool {
    const END: &[u8] = b"</noscript";
    body.as_bytes()
        .windows(END.len())
        .all(|w| !w.eq_ignore_ascii_case(END))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_only_what_cannot_end_the_raw_text() {
        let mut o = String::new();
        body(&mut o, "<p>a &lt;/noscript&gt;</p>", true);
        assert_eq!(
            o,
            "<noscript class=\"lazy\"><p>a &lt;/noscript&gt;</p></noscript>\n"
        );
        let mut o = String::new();
        body(&mut o, "<p>x</p></NoScript ><p>y</p>", true);
        assert_eq!(o, "<p>x</p></NoScript ><p>y</p>", "written eagerly");
        let mut o = String::new();
        body(&mut o, "<p>x</p>", false);
        assert_eq!(o, "<p>x</p>");
    }
}
