#!/usr/bin/env bash
# Real-browser check of the HTML report.
#
# Renders the renderers' hostile fixture (examples/render_fixture.rs: ids, outlets, cues, evidence
# and text full of XSS and bidi payloads) and loads the page in headless Chromium with scripts
# enabled. Then the same page with every family closed (their content kept as the raw text of a
# <noscript class="lazy"> until opened): unopened, that content must not be in the DOM; opened
# through a link (#fam0, #fam1), the page's script must have filled it in, with the same checks;
# read as a parser with scripting off reads it, it must all be ordinary markup, same checks. Fails if any payload became an element or an attribute (an <img>, a <script> other
# than the page's own, an onerror=, the data-pwned mark its handler would set), if a raw bidi
# control reached the DOM, if the escaped text is not shown, or if the page's own script (the
# family filter, allowed by its hash in the CSP) did not run. The dumped DOM is read with Python's HTML parser (text in an
# attribute or a text node is not markup, whatever it says). A control run first injects the same payload raw into a copy
# of the page: it must be caught, or the check proves nothing.
#
#   bash tests/browser/check_html.sh            # OUT=dir to keep the files (default: a temp dir)
#
# Installs Debian's chromium when missing (needs root and apt-get). Writes a screenshot to
# ${SCREENSHOT:-/tmp/stemma-report.png}. Exit 0 on pass, 1 on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LC_ALL=C.UTF-8

fail() { echo "check_html: FAIL: $*" >&2; exit 1; }
note() { echo "check_html: $*"; }

browser=""
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    note "installing chromium"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || fail "apt-get install chromium failed"
    browser=chromium
  else
    fail "chromium is not installed and cannot be installed here (needs root and apt-get)"
  fi
fi

command -v python3 >/dev/null 2>&1 || fail "python3 is needed to parse the DOM (apt-get install python3)"

out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
shot=${SCREENSHOT:-/tmp/stemma-report.png}

note "building (release)"
cargo build --release --quiet || fail "cargo build --release failed"
cargo run --release --quiet --example render_fixture -- "$out" >/dev/null || fail "render_fixture failed"
page="$out/report.html"
[ -s "$page" ] || fail "no report written to $page"

run_browser() { # run_browser LOG ARGS...
  local log=$1; shift
  local profile; profile=$(mktemp -d)
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" "$@" 2>"$log"
  local rc=$?
  rm -rf "$profile"
  return $rc
}

# Reads dumped DOMs with a real HTML parser; prints one line per problem, nothing when clean.
# Problems: an element a payload would create, an event-handler attribute, a resource load, the
# data-pwned mark on <body>, a raw bidi control, or (MODE "expect": over all the DOMs together)
# escaped text not shown. The raw text of a <noscript> is not part of the page and is skipped,
# except in MODE "noscript" (scripts off: the browser parsed it as markup), which also expects
# the text and does not ask for the filter script to have run.
analyze() { # analyze MODE DOM...   (MODE: plain, expect or noscript)
  python3 - "$@" <<'PY'
import sys
from html.parser import HTMLParser

BAD = {"img", "script", "iframe", "frame", "object", "embed", "textarea", "link", "base", "form",
       "input", "button", "audio", "video", "source", "image", "foreignobject", "use", "meta-refresh"}
BIDI = {chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))}

class Dom(HTMLParser):
    def __init__(self, noscript_is_markup):
        super().__init__(convert_charrefs=True)
        self.problems, self.text, self.styles, self.marks, self.in_mark = [], [], 0, [], None
        self.own, self.in_shown, self.shown = {}, False, ""
        self.noscript_is_markup, self.in_noscript = noscript_is_markup, False

    def handle_starttag(self, tag, attrs):
        if self.in_noscript:
            return
        if tag == "noscript" and not self.noscript_is_markup:
            self.in_noscript = True
            return
        # The page's own script (no attribute: its text is a constant, allowed by its hash in
        # the CSP) and its filter box are expected once each; anything else is a payload.
        own = (tag == "script" and not attrs) or (tag == "input" and ("id", "filter") in attrs)
        if own:
            self.own[tag] = self.own.get(tag, 0) + 1
        if tag in BAD and not (own and self.own[tag] == 1):
            self.problems.append(f"element: <{tag}> {attrs[:3]}")
        if tag == "style":
            self.styles += 1
        for k, v in attrs:
            v = v or ""
            if k.startswith("on"):
                self.problems.append(f"handler: <{tag} {k}=...>")
            if k in ("src", "srcset", "xlink:href", "action", "formaction", "poster", "background"):
                self.problems.append(f"load: <{tag} {k}={v[:40]}>")
            if k == "href" and not v.startswith("#"):
                self.problems.append(f"link: <{tag} href={v[:40]}>")
            if tag == "body" and k == "data-pwned":
                self.problems.append("ran: the payload's handler set data-pwned on <body>")
            if BIDI & set(v):
                self.problems.append(f"bidi: raw bidi control in <{tag} {k}>")
        if tag == "mark":
            self.in_mark = [dict(attrs), ""]
        if ("id", "shown") in attrs:
            self.in_shown = True

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "noscript":
            self.in_noscript = False
        if self.in_noscript:
            return
        if tag == "span":
            self.in_shown = False
        if tag == "mark" and self.in_mark:
            self.marks.append(tuple(self.in_mark))
            self.in_mark = None

    def handle_data(self, data):
        if self.in_noscript:
            return
        if self.in_shown:
            self.shown += data
        self.text.append(data)
        if self.in_mark:
            self.in_mark[1] += data
        if BIDI & set(data):
            self.problems.append("bidi: raw bidi control in text")

mode, files = sys.argv[1], sys.argv[2:]
problems, text, marks = [], "", []
for f in files:
    dom = Dom(mode == "noscript")
    dom.feed(open(f, encoding="utf-8").read())
    if dom.styles > 1:
        dom.problems.append(f"element: {dom.styles} <style> elements (the page has one)")
    if mode == "expect" and "of 2 families" not in dom.shown:
        dom.problems.append("script: the family filter did not run (is its hash in the CSP right?)")
    problems += dom.problems
    text += "".join(dom.text)
    marks += dom.marks
dom.problems = problems
if mode != "plain":
    if "stemma trace report" not in text:
        dom.problems.append("render: the page did not render (no title)")
    for shown in ["<script>alert(1)</script>", "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
                  "</textarea>", "⟨U+202E⟩", "{{7*7}}", "javascript:alert(1)", "<b>Lonely</b>"]:
        if shown not in text:
            dom.problems.append(f"escaping: payload not shown as text: {shown}")
    lead = "Tổng Bí thư Tô Lâm đã tham dự Cuộc họp Khai mạc Hội đồng Hòa bình về Gaza tại Washington D.C (Hoa Kỳ) từ ngày 18 - 20/2."
    if not any(a.get("data-n") == "1" and t == lead for a, t in marks):
        dom.problems.append("offsets: the Vietnamese passage 1 is not highlighted exactly")
for p in dict.fromkeys(dom.problems):
    print("  " + p)
PY
}

# Control: the payload injected raw (and the CSP removed) must be caught by the same checks.
control="$out/control.html"
sed -e 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' \
    -e "s|<main>|<main><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">|" "$page" >"$control"
run_browser "$out/control.log" --virtual-time-budget=3000 --dump-dom "file://$control" >"$out/control-dom.html" \
  || fail "chromium failed on the control page (see $out/control.log)"
control_found=$(analyze plain "$out/control-dom.html")
echo "$control_found" | grep -q 'ran:' || fail "control: a raw payload was not caught (did the browser run the page?): the check is not meaningful"
note "control: a raw payload is caught ($(echo "$control_found" | grep -c .) findings)"

# The real page.
dom="$out/dom.html"
run_browser "$out/chromium.log" --virtual-time-budget=3000 --dump-dom "file://$page" >"$dom" \
  || fail "chromium failed (see $out/chromium.log)"
[ -s "$dom" ] || fail "chromium dumped an empty DOM"
found=$(analyze expect "$dom")
[ -z "$found" ] || fail "the page is not safe or not right:
$found"
note "no payload became markup or ran; the escaped text and the Vietnamese passage are shown"

# Every family closed: their content is inert text until opened.
closed="$out/report-closed.html"
[ -s "$closed" ] || fail "no page with closed families at $closed"
lazy_left() { grep -o '<noscript class="lazy">' "$1" | wc -l; }
run_browser "$out/closed.log" --virtual-time-budget=3000 --dump-dom "file://$closed" >"$out/closed-dom.html" \
  || fail "chromium failed on the closed page (see $out/closed.log)"
[ "$(lazy_left "$out/closed-dom.html")" = 2 ] || fail "closed page: the 2 families are not both kept as inert text"
unopened=$(analyze expect "$out/closed-dom.html")
echo "$unopened" | grep -q 'payload not shown' \
  || fail "closed page: the content of unopened families is in the DOM (or the check cannot tell)"
note "closed page: unopened families are not in the DOM"
for k in 0 1; do
  run_browser "$out/closed-$k.log" --virtual-time-budget=3000 --dump-dom "file://$closed#fam$k" >"$out/closed-dom-$k.html" \
    || fail "chromium failed on $closed#fam$k (see $out/closed-$k.log)"
  [ "$(lazy_left "$out/closed-dom-$k.html")" = 1 ] || fail "closed page: following #fam$k did not fill in that family (and only it)"
done
found=$(analyze expect "$out/closed-dom-0.html" "$out/closed-dom-1.html")
[ -z "$found" ] || fail "closed page, families opened by the script: not safe or not right:
$found"
note "closed page: a family opened through a link is filled in by the script; no payload became markup or ran"
# Scripts off: headless Chromium dumps no DOM without script, so the page file itself is read
# by Python's parser, which (like a browser with scripting off) parses <noscript> as markup.
found=$(analyze noscript "$closed")
[ -z "$found" ] || fail "closed page, scripts off: not safe or not right:
$found"
note "closed page, scripts off (read by a no-script parser): every family is there as ordinary markup; no payload became markup"

run_browser "$out/screenshot.log" --hide-scrollbars --window-size=1400,2000 --screenshot="$shot" "file://$page" >/dev/null \
  || fail "screenshot failed (see $out/screenshot.log)"
[ -s "$shot" ] || fail "no screenshot at $shot"
note "screenshot: $shot"
note "PASS ($page)"
