//! From one record's fields to a document's id, text and metadata: the mapping shared by JSONL,
//! CSV/TSV and Parquet (a CSV row or a Parquet row is turned into the same JSON object a JSONL
//! line would be, so every format follows the same rules).
//!
//! - A field name is looked up as written first, then as a dotted path into nested objects
//!   (`meta.body` is the key `body` of the object under `meta`), so a key holding a dot still
//!   works.
//! - `--text-field` may name several fields separated by commas (`title,text`): the strings
//!   found are joined with a blank line, in the order named; a field that is missing or null is
//!   left out, and the record is bad only when none is there.

use serde_json::{Map, Value};

use super::{Meta, ReadOptions};

/// What is wrong with a record, and what to do about it.
pub(crate) type Problem = (String, &'static str);

/// What the text fields of a joined `--text-field` are separated by in the document.
pub const TEXT_FIELD_JOINER: &str = "\n\n";

/// The field names of `--text-field`: the comma-separated names, trimmed, without empty ones.
pub fn text_fields(opts: &ReadOptions) -> Vec<&str> {
    opts.text_field
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect()
}

/// The value at `name` in `obj`: the key as written, else the dotted path.
pub(crate) fn lookup<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(v) = obj.get(name) {
        return Some(v);
    }
    let (head, rest) = name.split_once('.')?;
    match obj.get(head)? {
        Value::Object(inner) => lookup(inner, rest),
        _ => None,
    }
}

/// Removes and returns the value at `name` (as [`lookup`] finds it), so a text is moved out of
/// the record rather than copied.
fn take(obj: &mut Map<String, Value>, name: &str) -> Option<Value> {
    if obj.contains_key(name) {
        return obj.remove(name);
    }
    let (head, rest) = name.split_once('.')?;
    match obj.get_mut(head)? {
        Value::Object(inner) => take(inner, rest),
        _ => None,
    }
}

/// Maps one record (a JSON object) to (id, text, meta), or says what is wrong and what to do.
/// The id is `None` when the record has no id field (the caller gives it its place as id).
pub(crate) fn from_object(
    mut obj: Map<String, Value>,
    opts: &ReadOptions,
) -> std::result::Result<(Option<String>, String, Meta), Problem> {
    let text = take_text(&mut obj, opts)?;
    let name = &opts.id_field;
    let bad_id = "ids must be non-empty strings or numbers; use --id-field to pick another field";
    let id = match lookup(&obj, name) {
        Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        None | Some(Value::Null) => None,
        Some(Value::String(_)) => return Err((format!("field {name:?} is empty"), bad_id)),
        Some(other) => {
            return Err((
                format!(
                    "field {name:?} must be a string or number, found {}",
                    kind(other)
                ),
                bad_id,
            ))
        }
    };
    let mut published_at = field(&obj, &opts.published_at_field);
    if opts.published_at_field == "published_at" && lookup(&obj, "published_at").is_none() {
        published_at = field(&obj, "date");
    }
    let meta = Meta {
        outlet: field(&obj, &opts.outlet_field),
        url: field(&obj, &opts.url_field),
        title: field(&obj, &opts.title_field),
        published_at,
        lang: field(&obj, &opts.lang_field),
    };
    Ok((id, text, meta))
}

/// The text of a record: its one text field, or the fields of a joined `--text-field`.
fn take_text(
    obj: &mut Map<String, Value>,
    opts: &ReadOptions,
) -> std::result::Result<String, Problem> {
    let names = text_fields(opts);
    let must_be_string = |name: &str, other: &Value| {
        (
            format!("field {name:?} must be a string, found {}", kind(other)),
            "use --text-field to name the field holding the text",
        )
    };
    if let [name] = names[..] {
        return match take(obj, name) {
            Some(Value::String(text)) => Ok(text),
            None => Err((
                format!("field {name:?} is missing{}", keys_hint(obj)),
                "use --text-field to name it",
            )),
            Some(other) => Err(must_be_string(name, &other)),
        };
    }
    let mut parts: Vec<String> = Vec::with_capacity(names.len());
    for name in &names {
        match take(obj, name) {
            Some(Value::String(text)) => parts.push(text),
            None | Some(Value::Null) => {}
            Some(other) => return Err(must_be_string(name, &other)),
        }
    }
    if parts.is_empty() {
        return Err((
            format!(
                "none of the text fields {} is there{}",
                names.join(", "),
                keys_hint(obj)
            ),
            "use --text-field to name the fields holding the text",
        ));
    }
    Ok(parts.join(TEXT_FIELD_JOINER))
}

/// ` (the record has: a, b, c)`, naming the keys a record does have (at most 12).
fn keys_hint(obj: &Map<String, Value>) -> String {
    if obj.is_empty() {
        return " (the record has no fields)".into();
    }
    let mut keys: Vec<&str> = obj.keys().take(12).map(String::as_str).collect();
    if obj.len() > 12 {
        keys.push("...");
    }
    format!(" (the record has: {})", keys.join(", "))
}

/// A metadata field: strings taken, numbers as their decimal text, anything else ignored.
fn field(obj: &Map<String, Value>, name: &str) -> Option<String> {
    match lookup(obj, name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The kind of a JSON value, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn opts(text: &str, id: &str) -> ReadOptions {
        ReadOptions {
            text_field: text.into(),
            id_field: id.into(),
            ..ReadOptions::default()
        }
    }

    #[test]
    fn dotted_paths_reach_nested_fields_and_literal_keys_win() {
        let obj = map(json!({"meta": {"body": "nested", "ref": {"n": 7}}, "meta.body": "literal"}));
        let (id, text, _) = from_object(obj, &opts("meta.body", "meta.ref.n")).unwrap();
        assert_eq!((id.as_deref(), text.as_str()), (Some("7"), "literal"));
        let obj = map(json!({"meta": {"body": "nested"}}));
        let (_, text, _) = from_object(obj, &opts("meta.body", "id")).unwrap();
        assert_eq!(text, "nested");
    }

    #[test]
    fn several_text_fields_join_what_is_there() {
        let o = opts("title, text", "id");
        let obj = map(json!({"id": "a", "title": "T", "text": "Body"}));
        assert_eq!(from_object(obj, &o).unwrap().1, "T\n\nBody");
        let obj = map(json!({"id": "a", "title": null, "text": "Body"}));
        assert_eq!(from_object(obj, &o).unwrap().1, "Body");
        let obj = map(json!({"id": "a", "body": "x"}));
        let (problem, _) = from_object(obj, &o).unwrap_err();
        assert!(
            problem.contains("title, text") && problem.contains("body") && problem.contains("id")
        );
    }
}
