//! Writes the renderers' fixture report (`tests/fixture/report.rs`: two families of Vietnamese
//! and English news, a stemma with an external source, and one document full of XSS, Markdown,
//! DOT and bidi payloads) as HTML (once with every family closed, `report-closed.html`), Markdown and DOT. Used by `tests/browser/check_html.sh`; also handy to look at the pages.
//!
//! ```text
//! cargo run --release --example render_fixture -- OUT_DIR    # writes report.html, report-closed.html, .md, .dot
//! ```

use std::path::PathBuf;

use stemma::report::{dot, html, markdown};

/// The fixture report, shared with the renderers' unit tests.
#[allow(dead_code)]
mod fixture {
    use stemma::config::{Banding, Config};
    use stemma::report::json::{
        CueLine, DirectionLine, DocumentLine, EvidenceLine, FamilyLine, FamilyPair, InputSummary,
        PairLine, PassageLine, Report, Span, StatsLine, StemmaEdgeLine, SCHEMA, SCHEMA_VERSION,
    };
    include!("../tests/fixture/report.rs");
}

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("stemma-fixture"));
    std::fs::create_dir_all(&dir)?;
    let (report, texts) = fixture::report();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    for (name, body) in [
        ("report.html", html::render(&report, &texts)),
        // Every family closed: their content is inert text until the page's script fills it in.
        ("report-closed.html", html::render_open(&report, &texts, 0)),
        ("report.md", markdown::render(&report, &texts)),
        ("report.dot", dot::render(&report)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, body)?;
        println!("{}", path.display());
    }
    Ok(())
}
