//! SARIF 2.1.0 for code-scanning dashboards: a pure function from an [`Audit`] to bytes.
//!
//! One run; `tool.driver` names stemma with one rule per check that ran. One result per
//! finding: `ruleId` = the check, `level` `error`, `message.text`, the first occurrence's
//! subject document as the location (`artifactLocation.uri` = its path as read, relative paths
//! kept relative, absolute ones as `file://` URIs, percent-encoded; `region` = the JSONL record
//! line, or line and column of the first shared passage in Unicode code points — the run says
//! `columnKind: unicodeCodePoints`), every other document involved as a related location,
//! `partialFingerprints["stemmaContentKey/v1"]` = the content key, and `baselineState` `new` or
//! `unchanged`; a baselined result also carries an `external` suppression with status
//! `accepted`, so dashboards hide it. Stale baseline entries are results with `baselineState`
//! `absent`, level `note` and no location. Validated against the OASIS schema by
//! `tests/schemas/validate.sh`.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::format::RenderOptions;
use super::{Audit, Check, DocRef, Region, State};

/// Where the rules' documentation lives: the package's repository or homepage when the
/// manifest names one.
pub(crate) fn information_uri() -> &'static str {
    match (
        option_env!("CARGO_PKG_REPOSITORY"),
        option_env!("CARGO_PKG_HOMEPAGE"),
    ) {
        (Some(r), _) if !r.is_empty() => r,
        (_, Some(h)) if !h.is_empty() => h,
        _ => "https://crates.io/crates/stemma",
    }
}

/// A file path as a URI reference: `/` separators, bytes outside the unreserved set and `/`
/// percent-encoded; an absolute path becomes a `file://` URI.
pub(crate) fn path_uri(path: &str) -> String {
    let unix = path.replace('\\', "/");
    let mut out = String::with_capacity(unix.len() + 8);
    let absolute = unix.starts_with('/');
    if absolute {
        out.push_str("file://");
    }
    for b in unix.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(r: &Region) -> Value {
    let mut m = Map::new();
    m.insert("startLine".into(), json!(r.start_line));
    if let Some(c) = r.start_column {
        m.insert("startColumn".into(), json!(c));
    }
    if let Some(l) = r.end_line {
        m.insert("endLine".into(), json!(l));
    }
    if let Some(c) = r.end_column {
        m.insert("endColumn".into(), json!(c));
    }
    Value::Object(m)
}

fn location(doc: &DocRef, r: Option<&Region>) -> Value {
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": path_uri(&doc.path) }),
    );
    if let Some(r) = r {
        physical.insert("region".into(), region(r));
    }
    json!({ "physicalLocation": Value::Object(physical) })
}

fn rule(check: Check) -> Value {
    let name: String = check
        .as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    json!({
        "id": check.as_str(),
        "name": name,
        "shortDescription": { "text": format!("stemma audit --check {}", check.as_str()) },
        "fullDescription": { "text": check.description() },
        "help": { "text": format!("{} Accept a finding on purpose by adding it to the baseline (stemma audit --baseline FILE --update-baseline).", check.description()) },
        "helpUri": information_uri(),
        "defaultConfiguration": { "level": "error" }
    })
}

/// The SARIF log as a JSON value.
pub(crate) fn log(audit: &Audit, _opts: &RenderOptions) -> Value {
    let checks = &audit.policy.checks;
    let rule_index = |c: Check| checks.iter().position(|x| *x == c).unwrap_or(0);
    let mut results: Vec<Value> = Vec::new();
    for f in &audit.findings {
        let first = &f.occurrences[0];
        let mut related: Vec<Value> = Vec::new();
        let mut seen: HashSet<String> = HashSet::from([first.subject.id.clone()]);
        let mut add_related = |doc: &DocRef, r: Option<&Region>, what: &str| {
            if seen.contains(&doc.id) {
                return;
            }
            seen.insert(doc.id.clone());
            let mut loc = location(doc, r);
            loc["id"] = json!(related.len() + 1);
            loc["message"] = json!({ "text": format!("{what}: {}", doc.id) });
            related.push(loc);
        };
        if let Some(o) = &first.other {
            add_related(o, first.other_region.as_ref(), "related document");
        }
        for occ in &f.occurrences[1..] {
            add_related(&occ.subject, occ.region.as_ref(), "same content, also here");
            if let Some(o) = &occ.other {
                add_related(o, occ.other_region.as_ref(), "related document");
            }
        }
        let mut props = Map::new();
        props.insert("relation".into(), json!(f.relation));
        props.insert("subject".into(), json!(first.subject.id));
        if let Some(c) = f.confidence {
            props.insert("confidence".into(), json!(c));
        }
        if let Some(s) = &f.source {
            props.insert("source".into(), json!(s));
        }
        let mut result = json!({
            "ruleId": f.check.as_str(),
            "ruleIndex": rule_index(f.check),
            "level": "error",
            "message": { "text": f.message },
            "locations": [ location(&first.subject, first.region.as_ref()) ],
            "partialFingerprints": { "stemmaContentKey/v1": f.key },
            "baselineState": f.state.as_str(),
            "properties": Value::Object(props),
        });
        if !related.is_empty() {
            result["relatedLocations"] = Value::Array(related);
        }
        if f.state == State::Unchanged {
            result["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": "accepted in the stemma audit baseline"
            }]);
        }
        results.push(result);
    }
    for e in &audit.stale {
        results.push(json!({
            "ruleId": e.check.as_str(),
            "ruleIndex": rule_index(e.check),
            "level": "note",
            "message": { "text": format!(
                "stale baseline entry: no longer found (was {} of {}); remove it with --update-baseline",
                e.relation, e.ids.join(", ")
            ) },
            "partialFingerprints": { "stemmaContentKey/v1": e.key },
            "baselineState": "absent",
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "stemma",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": information_uri(),
                "rules": checks.iter().map(|&c| rule(c)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// The SARIF log, pretty JSON with a trailing newline.
pub fn sarif(audit: &Audit, opts: &RenderOptions) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&log(audit, opts)).expect("serializable");
    out.push(b'\n');
    out
}
