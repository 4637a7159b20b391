//! Reports: pure functions from an [`Analysis`](crate::pipeline::Analysis) to bytes.
//!
//! [`json`] defines the versioned JSON schema (its serde structs are separate from the internal
//! types, so a refactor cannot change the schema by accident) and the JSONL outputs; [`text`]
//! is the human summary printed by the CLI. Document text and ids are untrusted: every format
//! escapes or neutralizes what could be interpreted by its reader.

pub mod json;
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
}
