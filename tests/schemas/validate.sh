#!/usr/bin/env bash
# Validates `stemma audit` output against the schemas kept next to this script:
#   SARIF  -> sarif-schema-2.1.0.json (OASIS SARIF 2.1.0), with jsonschema
#   JUnit  -> junit-10.xsd (Jenkins xUnit plugin JUnit schema), with lxml
# on fixture corpora written here (duplicates, contamination with --against, JSONL records,
# hostile ids and file names, a baseline with a stale entry, the seeds' uncredited check).
# Needs python3 with venv and pip, and PyPI. Usage: bash tests/schemas/validate.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${STEMMA_SCHEMA_VENV:-${TMPDIR:-/tmp}/stemma-schema-venv}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check jsonschema==4.26.0 lxml==6.1.3

(cd "$root" && cargo build --release --locked --quiet)
bin="${CARGO_TARGET_DIR:-$root/target}/release/stemma"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
story() {
  for i in $(seq 1 "$2"); do printf '%s sentence %s tells how the %s river bridge opened on time. ' "$1" "$i" "$1"; done
}
mkdir -p "$work/in" "$work/train"
story alpha 40 > "$work/in/a.txt"
{ story alpha 40; printf '\nA short added line.\n'; } > "$work/in/bài báo b (copy).txt"
story gamma 30 > "$work/in/c.txt"
story gamma 30 > "$work/train/c-in-train.txt"
printf '{"id":"r1 <&\\"\\u0007>","text":"%s"}\n{"id":"r2","text":"%s"}\n' \
  "$(story delta 30)" "$(story delta 30) tail" > "$work/in/records.jsonl"
printf '{"schema":"stemma.audit.baseline","schema_version":1,"entries":[{"key":"duplicates:0000000000000000-0000000000000001","check":"duplicates","ids":["gone.txt"],"relation":"duplicate","note":"stale on purpose"}]}\n' > "$work/baseline.json"

n=0
run() { # name, args...
  local name="$1"; shift
  for fmt in sarif junit; do
    set +e
    "$bin" audit -q "$@" --format "$fmt" --output "$work/$name.$fmt"
    local code=$?
    set -e
    if [ "$code" -gt 1 ]; then echo "stemma audit $* failed with exit $code" >&2; exit 1; fi
    n=$((n + 1))
  done
}
run dup "$work/in" --fail-on rewrite
run contamination "$work/in" --against "$work/train" --check duplicates --check contamination
run baseline "$work/in" --baseline "$work/baseline.json" --fail-on-stale
run seeds "$root/seeds" --check uncredited --check duplicates --fail-on rewrite --min-confidence 0.2
run clean "$root/seeds/000_feda9039ef98819a.txt"

"$venv/bin/python" - "$here" "$work" <<'PY'
import json, pathlib, sys
import jsonschema
from lxml import etree
here, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
schema = json.loads((here / "sarif-schema-2.1.0.json").read_text())
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
sarif = cls(schema, format_checker=cls.FORMAT_CHECKER)
xsd = etree.XMLSchema(etree.parse(str(here / "junit-10.xsd")))
ok = bad = 0
for f in sorted(work.glob("*.sarif")):
    errors = list(sarif.iter_errors(json.loads(f.read_text())))
    for e in errors:
        print(f"{f.name}: {'/'.join(map(str, e.path))}: {e.message}")
    results = json.loads(f.read_text())["runs"][0]["results"]
    print(f"{f.name}: SARIF 2.1.0 {'INVALID' if errors else 'valid'} ({len(results)} results)")
    ok, bad = (ok + 1, bad) if not errors else (ok, bad + 1)
for f in sorted(work.glob("*.junit")):
    doc = etree.parse(str(f))
    valid = xsd.validate(doc)
    for e in xsd.error_log:
        print(f"{f.name}:{e.line}: {e.message}")
    cases = len(doc.findall(".//testcase"))
    print(f"{f.name}: JUnit XSD {'valid' if valid else 'INVALID'} ({cases} test cases)")
    ok, bad = (ok + 1, bad) if valid else (ok, bad + 1)
print(f"schemas: {ok} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY
