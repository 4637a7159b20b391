//! A hand-built `trace` report for the renderers' tests and `examples/render_fixture.rs`: two
//! families (Vietnamese text with multi-byte characters, a stemma with an `external:VNA` parent,
//! a document parent and a root, passages with a photo caption, cues and evidence) and one
//! document whose id, outlet, metadata, cues, evidence and text carry XSS, Markdown, DOT and
//! bidi payloads. Not part of the public API.

use super::json::{
    CueLine, DirectionLine, DocumentLine, EvidenceLine, FamilyLine, FamilyPair, InputSummary,
    PairLine, PassageLine, Report, Span, StatsLine, StemmaEdgeLine, SCHEMA, SCHEMA_VERSION,
};
use crate::config::Config;

/// The id of the hostile document.
pub const HOSTILE_ID: &str =
    "z\u{202E}<script>alert(1)</script>\"><img src=x onerror=alert(1)>.txt";
/// A payload that marks the page if it ever runs.
pub const PWN: &str = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">";

const BAOMOI: &str = "Hà Nội, 21/2 - Tổng Bí thư Tô Lâm đã tham dự Cuộc họp Khai mạc Hội đồng Hòa bình về Gaza tại Washington D.C (Hoa Kỳ) từ ngày 18 - 20/2. Chuyến công tác góp phần thúc đẩy quan hệ của Việt Nam với các đối tác quốc tế.\n\nTheo Bộ trưởng, Việt Nam sẽ nghiên cứu, triển khai lộ trình thực hiện Kế hoạch Hòa bình theo 3 hướng lớn.\n\nTổng Bí thư Tô Lâm và các trưởng đoàn dự phiên khai mạc. Ảnh: TTXVN";
const PLO: &str = "(PLO)- Theo TTXVN, nhận lời mời của Tổng thống Hoa Kỳ Donald Trump, Tổng Bí thư Tô Lâm đã tham dự Cuộc họp Khai mạc Hội đồng Hòa bình về Gaza tại Washington D.C (Hoa Kỳ) từ ngày 18 - 20/2.\n\nBộ trưởng Ngoại giao Lê Hoài Trung cho biết thời gian tới, Việt Nam sẽ nghiên cứu, triển khai lộ trình thực hiện Kế hoạch Hòa bình theo 3 hướng lớn.\n\nTổng Bí thư Tô Lâm và các trưởng đoàn dự phiên khai mạc. Ảnh: TTXVN";
const AGENCY: &str = "Hanoi (VNA) - Party General Secretary To Lam attended the inaugural meeting of the Gaza Board of Peace in Washington, D.C., outlining Vietnam's commitments to peacekeeping and reconstruction. Minister of Foreign Affairs Le Hoai Trung said the trip opened a new chapter in relations with the United States. (VNA)";
const DAILY: &str = "Party General Secretary To Lam attended the inaugural meeting of the Gaza Board of Peace in Washington, D.C., outlining Vietnam's commitments to peacekeeping and reconstruction.";
const LONELY: &str =
    "A different story about rice exports.\n- not a list\n1. not a list either\n# not a heading";

fn hostile_text() -> String {
    format!(
        "<script>alert(1)</script> {PWN} </textarea><style>body{{display:none}}</style> javascript:alert(1) {{{{7*7}}}} ${{7*7}} \u{202E}gpj.exe [click](javascript:alert(1)) | cell | # heading\nTheo TTXVN, Tổng Bí thư Tô Lâm đã tham dự Cuộc họp Khai mạc Hội đồng Hòa bình về Gaza tại Washington D.C (Hoa Kỳ)."
    )
}

/// Character and byte spans of the first occurrence of `needle` in `text`.
fn find(text: &str, needle: &str) -> (Span, Span) {
    let b = text.find(needle).expect("fixture needle is in its text");
    let c = text[..b].chars().count();
    (
        Span {
            start: c,
            end: c + needle.chars().count(),
        },
        Span {
            start: b,
            end: b + needle.len(),
        },
    )
}

fn passage(
    a: &str,
    na: &str,
    b: &str,
    nb: &str,
    exactness: f64,
    boilerplate: Option<&str>,
) -> PassageLine {
    let ((ac, ab), (bc, bb)) = (find(a, na), find(b, nb));
    let words = |s: &str| s.split_whitespace().count() as u32;
    PassageLine {
        a: ac,
        b: bc,
        a_bytes: ab,
        b_bytes: bb,
        tokens_a: words(na),
        tokens_b: words(nb),
        matched_tokens: (f64::from(words(na)) * exactness) as u32,
        exactness,
        boilerplate: boilerplate.map(String::from),
    }
}

fn cue(text: &str, kind: &str, found: &str, source: Option<&str>, value: Option<&str>) -> CueLine {
    CueLine {
        kind: kind.into(),
        span: find(text, found).0,
        text: found.into(),
        source: source.map(String::from),
        value: value.map(String::from),
    }
}

fn ev(signal: &str, favors: &str, weight: f64, reason: &str) -> EvidenceLine {
    EvidenceLine {
        signal: signal.into(),
        favors: favors.into(),
        weight,
        reason: reason.into(),
    }
}

fn doc(id: &str, outlet: &str, published_at: &str, text: &str, cues: Vec<CueLine>) -> DocumentLine {
    DocumentLine {
        id: id.into(),
        origin: format!("fixture/{id}"),
        tokens: text.split_whitespace().count(),
        shingles: text.split_whitespace().count().saturating_sub(4),
        family: None,
        outlet: Some(outlet.into()),
        url: None,
        title: None,
        published_at: Some(published_at.into()),
        lang: None,
        cues,
    }
}

#[allow(clippy::too_many_arguments)]
fn pair(
    (a, ta): (&str, &str),
    (b, tb): (&str, &str),
    relation: &str,
    jaccard: f64,
    passages: Vec<PassageLine>,
    direction: Option<DirectionLine>,
) -> PairLine {
    let (na, nb) = (ta.split_whitespace().count(), tb.split_whitespace().count());
    let cov = |n: usize, f: fn(&PassageLine) -> u32| {
        passages.iter().map(|p| f(p) as usize).sum::<usize>() as f64 / n.max(1) as f64
    };
    PairLine {
        a: a.into(),
        b: b.into(),
        relation: relation.into(),
        jaccard,
        containment_a_in_b: (jaccard * 1.4).min(1.0),
        containment_b_in_a: (jaccard * 1.2).min(1.0),
        estimated_jaccard: jaccard,
        simhash_distance: 9,
        shared_shingles: 31,
        bigram_containment_a_in_b: 0.52,
        bigram_containment_b_in_a: 0.47,
        idf_bigram_containment_a_in_b: 0.5,
        idf_bigram_containment_b_in_a: 0.45,
        verbatim_coverage_a: 0.5,
        verbatim_coverage_b: 0.45,
        longest_run_tokens: 27,
        tokens_a: na,
        tokens_b: nb,
        sources: vec!["lsh".into(), "postings".into()],
        confidence: 0.93,
        rule: "derived model 0.93 >= 0.5 <script>alert(1)</script>".into(),
        passage_coverage_a: (!passages.is_empty()).then(|| cov(na, |p| p.tokens_a)),
        passage_coverage_b: (!passages.is_empty()).then(|| cov(nb, |p| p.tokens_b)),
        passages,
        direction,
    }
}

fn edge(
    family: &str,
    parent: Option<&str>,
    child: &str,
    kind: &str,
    confidence: f64,
    evidence: Vec<EvidenceLine>,
) -> StemmaEdgeLine {
    StemmaEdgeLine {
        family: family.into(),
        parent: parent.map(String::from),
        child: child.into(),
        kind: kind.into(),
        confidence,
        evidence,
    }
}

/// The fixture report and the texts of its documents (same order).
pub fn report() -> (Report, Vec<String>) {
    let hostile = hostile_text();
    let (bm, ag, da, lo, pl) = (
        "baomoi/tong-bi-thu-to-lam.txt",
        "en/agency.txt",
        "en/daily.txt",
        "lonely/javascript:alert(1) {{7*7}}.txt",
        "plo/ket-qua-chuyen-cong-du.txt",
    );
    let hostile_ext = format!("external:{PWN}");
    let mut h = doc(
        HOSTILE_ID,
        PWN,
        "\"><img src=x onerror=alert(1)>",
        &hostile,
        vec![
            cue(
                &hostile,
                "credit",
                "<script>alert(1)</script>",
                Some("javascript:alert(1)"),
                None,
            ),
            cue(&hostile, "byline", "\u{202E}gpj.exe", None, Some("{{7*7}}")),
        ],
    );
    h.url = Some("javascript:alert(1)".into());
    h.title = Some("</title><script>alert(1)</script>".into());
    let mut documents = vec![
        doc(
            bm,
            "Báo Mới",
            "2026-02-21T12:00",
            BAOMOI,
            vec![
                cue(BAOMOI, "date", "21/2", None, Some("02-21")),
                cue(BAOMOI, "photo-credit", "Ảnh: TTXVN", Some("VNA"), None),
            ],
        ),
        doc(
            ag,
            "VNA English",
            "2026-02-21T08:00",
            AGENCY,
            vec![cue(AGENCY, "credit", "(VNA)", Some("VNA"), None)],
        ),
        doc(da, "Daily", "2026-02-21T10:30", DAILY, vec![]),
        doc(lo, "<b>Lonely</b> | Times", "2026-02-20", LONELY, vec![]),
        doc(
            pl,
            "Pháp Luật TP.HCM",
            "2026-02-21T11:04",
            PLO,
            vec![
                cue(PLO, "outlet-tag", "(PLO)", Some("PLO"), None),
                cue(PLO, "credit", "Theo TTXVN", Some("VNA"), None),
                cue(PLO, "photo-credit", "Ảnh: TTXVN", Some("VNA"), None),
            ],
        ),
        h,
    ];
    for d in &mut documents {
        if [bm, pl, HOSTILE_ID].contains(&d.id.as_str()) {
            d.family = Some("F1".into());
        } else if [ag, da].contains(&d.id.as_str()) {
            d.family = Some("F2".into());
        }
    }
    let lead = "Tổng Bí thư Tô Lâm đã tham dự Cuộc họp Khai mạc Hội đồng Hòa bình về Gaza tại Washington D.C (Hoa Kỳ) từ ngày 18 - 20/2.";
    let plan =
        "Việt Nam sẽ nghiên cứu, triển khai lộ trình thực hiện Kế hoạch Hòa bình theo 3 hướng lớn.";
    let caption = "Tổng Bí thư Tô Lâm và các trưởng đoàn dự phiên khai mạc. Ảnh: TTXVN";
    let short_lead = &lead[..lead.find(" từ ngày").unwrap()];
    let bm_pl = pair(
        (bm, BAOMOI),
        (pl, PLO),
        "partial-reuse",
        0.41,
        vec![
            passage(BAOMOI, lead, PLO, lead, 1.0, None),
            passage(BAOMOI, plan, PLO, plan, 1.0, None),
            passage(BAOMOI, caption, PLO, caption, 1.0, Some("caption")),
        ],
        Some(DirectionLine {
            verdict: "b->a".into(),
            confidence: 0.78,
            evidence: vec![
                ev("published-earlier", "b->a", 0.35, "plo/ket-qua-chuyen-cong-du.txt was published at 11:04, baomoi/tong-bi-thu-to-lam.txt at 12:00 (56 minutes later)."),
                ev("containment", "b->a", 0.3, "Every passage of baomoi/tong-bi-thu-to-lam.txt shared with plo/ket-qua-chuyen-cong-du.txt is found whole in it, and plo has 2 passages of its own."),
                ev("shared-credit", "common-source", 0.15, "Both credit TTXVN (Vietnam News Agency): they may share the agency story."),
                ev("caption-only", "none", 0.0, "Passage 3 is a photo caption «Ảnh: TTXVN»: weak evidence of reuse on its own."),
            ],
        }),
    );
    let pl_h = pair(
        (pl, PLO),
        (HOSTILE_ID, &hostile),
        "rewrite",
        0.12,
        vec![
            passage(PLO, short_lead, &hostile, short_lead, 1.0, None),
            passage(PLO, "Theo TTXVN", &hostile, PWN, 0.3, None),
        ],
        Some(DirectionLine {
            verdict: "undetermined".into(),
            confidence: 0.2,
            evidence: vec![ev(
                "<script>alert(1)</script>",
                PWN,
                0.2,
                "</textarea><script>alert(1)</script> javascript:alert(1) \u{202E}txt.exe",
            )],
        }),
    );
    let ag_da = pair(
        (ag, AGENCY),
        (da, DAILY),
        "excerpt",
        0.55,
        vec![passage(AGENCY, DAILY, DAILY, DAILY, 1.0, None)],
        Some(DirectionLine {
            verdict: "a->b".into(),
            confidence: 0.9,
            evidence: vec![
                ev(
                    "wraps",
                    "a->b",
                    0.5,
                    "en/agency.txt wraps the whole of en/daily.txt with a dateline and a sign-off.",
                ),
                ev(
                    "published-earlier",
                    "a->b",
                    0.3,
                    "en/agency.txt was published 2 h 30 min earlier.",
                ),
            ],
        }),
    );
    let da_lo = pair((da, DAILY), (lo, LONELY), "rewrite", 0.05, vec![], None);
    let families = vec![
        FamilyLine {
            family: "F1".into(),
            members: vec![bm.into(), pl.into(), HOSTILE_ID.into()],
            capped: false,
            pairs: vec![
                FamilyPair {
                    a: bm.into(),
                    b: pl.into(),
                    relation: "partial-reuse".into(),
                },
                FamilyPair {
                    a: pl.into(),
                    b: HOSTILE_ID.into(),
                    relation: "rewrite".into(),
                },
            ],
            stemma: vec![
                edge("F1", Some("external:VNA"), pl, "credited-external-source", 0.86, vec![
                    ev("credits-source", "none", 0.9, "plo/ket-qua-chuyen-cong-du.txt credits TTXVN (Vietnam News Agency): «Theo TTXVN»; TTXVN is not in the corpus."),
                ]),
                edge("F1", Some(pl), bm, "partial-reuse", 0.78, bm_pl.direction.clone().unwrap().evidence),
                edge("F1", Some(&hostile_ext), HOSTILE_ID, "credited-external-source", 0.4, vec![
                    ev("credits-source", PWN, 0.4, "<script>alert(1)</script>"),
                ]),
            ],
        },
        FamilyLine {
            family: "F2".into(),
            members: vec![ag.into(), da.into()],
            capped: false,
            pairs: vec![FamilyPair {
                a: ag.into(),
                b: da.into(),
                relation: "excerpt".into(),
            }],
            stemma: vec![
                edge("F2", None, ag, "root", 0.7, vec![ev("published-earlier", "none", 0.5, "en/agency.txt is the earliest member and credits no one.")]),
                edge("F2", Some(ag), da, "excerpt", 0.9, ag_da.direction.clone().unwrap().evidence),
            ],
        },
    ];
    let texts: Vec<String> = documents
        .iter()
        .map(|d| {
            match d.id.as_str() {
                id if id == bm => BAOMOI,
                id if id == ag => AGENCY,
                id if id == da => DAILY,
                id if id == lo => LONELY,
                id if id == pl => PLO,
                _ => hostile.as_str(),
            }
            .to_string()
        })
        .collect();
    let report = Report {
        schema: SCHEMA.into(),
        schema_version: SCHEMA_VERSION,
        stemma_version: env!("CARGO_PKG_VERSION").into(),
        command: "trace".into(),
        config: Config::default(),
        inputs: InputSummary {
            documents: 6,
            files_read: 7,
            skipped_files: 1,
            bad_records: 0,
            truncated: 0,
            warnings: vec!["skipped <b>notes</b>.pdf: unsupported file type".into()],
        },
        documents,
        pairs: vec![bm_pl, ag_da, da_lo, pl_h],
        families,
        stats: StatsLine {
            lsh_candidates: 3,
            simhash_candidates: 1,
            postings_candidates: 4,
            bigram_candidates: 0,
            verified: 5,
            oversized_buckets: 0,
            boilerplate_fingerprints: 2,
            banding: crate::config::Banding { bands: 16, rows: 8 },
        },
        index_matches: Vec::new(),
    };
    (report, texts)
}
