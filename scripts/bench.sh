#!/usr/bin/env bash
# Performance figures for the README's "Performance" section. Builds the release binary,
# starts local HTTP servers (examples/bench_server.rs: one plain, one with a per-second
# quota with Retry-After and a latency, one with a fixed window quota without
# Retry-After), and prints the median of several runs of each measure next to a
# reference measured in the same run, with their ratio.
#
#   scripts/bench.sh                  # RUNS=7 BIG_LINES=1000000 QUOTA=20 by default
#   RUNS=3 BIG_LINES=200000 CLEAN_BUILD=0 scripts/bench.sh
#
# Needs bash 5 (for $EPOCHREALTIME), curl and GNU time, which it installs with apt-get
# when they are missing. Not run by CI: timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
BIG_LINES=${BIG_LINES:-1000000}
QUOTA=${QUOTA:-20}
LATENCY_MS=${LATENCY_MS:-50}
# The fixed window without Retry-After: WINDOW_SENDS per WINDOW_MS, WINDOW_LINES lines.
WINDOW_SENDS=${WINDOW_SENDS:-30}
WINDOW_MS=${WINDOW_MS:-6000}
WINDOW_LINES=${WINDOW_LINES:-150}
# Peak memory: a journaled batch of MID_LINES lines against one of SMALL_LINES.
SMALL_LINES=${SMALL_LINES:-3000}
MID_LINES=${MID_LINES:-300000}
BATCH_LINES=10000
CONCURRENCY=16

install() {
    local missing=()
    command -v curl >/dev/null || missing+=(curl)
    [[ -x /usr/bin/time ]] || missing+=(time)
    if ((${#missing[@]})); then
        local sudo=()
        ((EUID == 0)) || sudo=(sudo)
        "${sudo[@]}" apt-get install -y "${missing[@]}"
    fi
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# Milliseconds of wall time that a command takes, measured without forking a timer.
wall_ms() {
    local start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || true
    local end=$EPOCHREALTIME
    awk -v s="$start" -v e="$end" 'BEGIN {printf "%.3f", (e - s) * 1000}'
}

# Peak resident set size of a command, in KiB.
max_rss_kib() {
    /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$WORK/rss"
}

row() { # measure, value, unit, reference, reference value, ratio, target
    printf '| %-38s | %10s %-5s | %-26s | %10s | %6s | %-14s |\n' "$@"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

install
# A clean release build in a target directory of its own (CLEAN_BUILD=0 skips it).
build_s=
if [[ ${CLEAN_BUILD:-1} != 0 ]]; then
    echo "timing a clean release build..." >&2
    build_dir=$(mktemp -d "${TMPDIR:-/tmp}/kenar-build.XXXXXX")
    start=$EPOCHREALTIME
    CARGO_TARGET_DIR=$build_dir cargo build --release --locked --bin kenar-chat >&2
    build_s=$(awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN {printf "%.0f", e - s}')
    rm -rf "$build_dir"
fi
echo "building the release binary and the bench server..." >&2
cargo build --release --locked --bin kenar-chat --example bench_server >&2
BIN=target/release/kenar-chat
BIN_SERVER=target/release/examples/bench_server

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kenar-bench.XXXXXX")
target/release/examples/bench_server 0 >"$WORK/address" 2>/dev/null &
SERVER=$!
target/release/examples/bench_server 0 0 0 tls >"$WORK/tls-address" 2>/dev/null &
TLS_SERVER=$!
QUOTA_LINES=$((QUOTA * 10))
target/release/examples/bench_server 0 "$QUOTA" "$LATENCY_MS" >"$WORK/quota-address" 2>"$WORK/quota-429s" &
QUOTA_SERVER=$!
trap 'kill "$SERVER" "$QUOTA_SERVER" "$TLS_SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
until [[ -s "$WORK/address" && -s "$WORK/quota-address" && -s "$WORK/tls-address" ]]; do sleep 0.05; done
TLS_URL=$(head -n 1 "$WORK/tls-address")
CA=tests/data/test-ca.pem
URL=$(head -n 1 "$WORK/address")
QUOTA_URL=$(head -n 1 "$WORK/quota-address")

export KENAR_API_KEY=bench-api-key KENAR_ACCESS_TOKEN=bench-access-token
USER_ID=e9ba8a81-9583-4f7c-af54-b07df089d971
POST=AZf3Uqr3
BODY="{\"user_id\":\"$USER_ID\",\"post_token\":\"$POST\",\"peer_id\":\"peer-1\",\"type\":\"TEXT\",\"message\":\"Your order has shipped\"}"

batch_file() { # lines, path: every line a different chat
    awk -v n="$1" -v u="$USER_ID" -v p="$POST" 'BEGIN {
        for (i = 1; i <= n; i++)
            printf "{\"user_id\":\"%s\",\"post_token\":\"%s\",\"peer_id\":\"peer-%08d\",\"message\":\"Your order has shipped\"}\n", u, p, i
    }' >"$2"
}
batch_file "$BATCH_LINES" "$WORK/batch.jsonl"
# A 40 MB video: an MP4 header, then bytes that do not compress.
{ printf '\0\0\0\030ftypmp42\0\0\0\0mp42isom'; head -c 40000000 /dev/urandom; } >"$WORK/video.mp4"
batch_file "$BIG_LINES" "$WORK/big.jsonl"
batch_file "$SMALL_LINES" "$WORK/small.jsonl"
batch_file "$MID_LINES" "$WORK/mid.jsonl"
batch_file "$WINDOW_LINES" "$WORK/window.jsonl"

send_one() {
    "$BIN" send --base-url "$URL" --user-id "$USER_ID" --post-token "$POST" \
        --peer-id peer-1 --message 'Your order has shipped'
}
curl_one() { # [base URL [curl flags]]
    local base=${1:-$URL}
    curl -sS -o /dev/null -X POST -H 'content-type: application/json' \
        -H "x-api-key: $KENAR_API_KEY" -H "x-access-token: $KENAR_ACCESS_TOKEN" \
        "${@:2}" --data "$BODY" "$base/v2/open-platform/chat/conversation"
}
send_tls() {
    "$BIN" send --base-url "$TLS_URL" --cacert "$CA" --user-id "$USER_ID" --post-token "$POST" \
        --peer-id peer-1 --message 'Your order has shipped'
}
batch_command() { # input, journal: the command line, for both timing and GNU time
    echo "$BIN" send --base-url "$URL" --batch "$1" --concurrency "$CONCURRENCY" --journal "$2"
}
# 429s the quota server has answered so far.
quota_429s() { tail -n 1 "$WORK/quota-429s" | awk '{print $NF + 0}'; }
# Seconds a batch of $QUOTA_LINES lines takes against the quota server, and the 429s it
# met, as "seconds 429s"; extra flags (such as --rate) follow.
quota_batch() {
    sleep 1.1 # the quota's window empties
    local before after start end
    before=$(quota_429s)
    start=$EPOCHREALTIME
    "$BIN" send --base-url "$QUOTA_URL" --batch "$WORK/quota.jsonl" --concurrency "$CONCURRENCY" \
        --max-wait 600 "$@" >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    sleep 0.2
    after=$(quota_429s)
    awk -v s="$start" -v e="$end" -v a="$after" -v b="$before" 'BEGIN {printf "%.3f %d\n", e - s, a - b}'
}

# Seconds a batch of $WINDOW_LINES lines takes against a fresh fixed-window server (its
# windows counted from the batch's first request), and the 429s it met.
window_batch() {
    "$BIN_SERVER" 0 "$WINDOW_SENDS" 0 window "$WINDOW_MS" >"$WORK/window-address" 2>"$WORK/window-429s" &
    local server=$! start end
    until [[ -s "$WORK/window-address" ]]; do sleep 0.05; done
    start=$EPOCHREALTIME
    "$BIN" send --base-url "$(head -n 1 "$WORK/window-address")" --batch "$WORK/window.jsonl" \
        --concurrency 4 >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    sleep 0.2
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    awk -v s="$start" -v e="$end" -v n="$(tail -n 1 "$WORK/window-429s" | awk '{print $NF + 0}')" \
        'BEGIN {printf "%.3f %d\n", e - s, n}'
    rm -f "$WORK/window-address"
}

echo "measuring ($RUNS runs each)..." >&2
batch_file "$QUOTA_LINES" "$WORK/quota.jsonl"
send_ms=() curl_ms=() tls_ms=() curl_tls_ms=() scope_ms=() true_ms=() learned_s=() learned_429=() paced_s=() paced_429=() cpu_us=() window_s=() window_429=()
for ((i = 0; i < RUNS; i++)); do
    send_ms+=("$(wall_ms send_one)")
    curl_ms+=("$(wall_ms curl_one)")
    tls_ms+=("$(wall_ms send_tls)")
    curl_tls_ms+=("$(wall_ms curl_one "$TLS_URL" --cacert "$CA")")
    scope_ms+=("$(wall_ms "$BIN" scope chat --user-id "$USER_ID" --post-token "$POST" --peer-id peer-1)")
    true_ms+=("$(wall_ms /bin/true)")
done
for ((i = 0; i < RUNS; i++)); do
    read -r seconds limited < <(quota_batch)
    learned_s+=("$seconds") learned_429+=("$limited")
    read -r seconds limited < <(quota_batch --rate "$QUOTA/s")
    paced_s+=("$seconds") paced_429+=("$limited")
    read -r seconds limited < <(window_batch)
    window_s+=("$seconds") window_429+=("$limited")
    rm -f "$WORK/journal"
    /usr/bin/time -f '%U %S' -o "$WORK/cpu" $(batch_command "$WORK/batch.jsonl" "$WORK/journal") >/dev/null 2>&1 || true
    cpu_us+=("$(tail -n 1 "$WORK/cpu" | awk -v n="$BATCH_LINES" '{printf "%.1f", ($1 + $2) / n * 1e6}')")
done
rm -f "$WORK/journal" "$WORK/big-journal"
small_rss=$(max_rss_kib $(batch_command "$WORK/small.jsonl" "$WORK/journal"))
rm -f "$WORK/journal"
mid_rss=$(max_rss_kib $(batch_command "$WORK/mid.jsonl" "$WORK/journal"))
video_rss=$(max_rss_kib "$BIN" send --base-url "$URL" --upload-url "$URL" --conversation-id c-1 --video "$WORK/video.mp4")
text_rss=$(max_rss_kib "$BIN" send --base-url "$URL" --conversation-id c-1 --message 'Your order has shipped')
echo "sending $BIG_LINES lines for peak memory..." >&2
big_rss=$(max_rss_kib $(batch_command "$WORK/big.jsonl" "$WORK/big-journal"))
sent=$(grep -c '^S ' "$WORK/big-journal" || true)
size=$(stat -c %s "$BIN")

send=$(median "${send_ms[@]}")
curl=$(median "${curl_ms[@]}")
tls=$(median "${tls_ms[@]}")
curl_tls=$(median "${curl_tls_ms[@]}")
scope=$(median "${scope_ms[@]}")
true_=$(median "${true_ms[@]}")
ideal=$(awk -v n="$QUOTA_LINES" -v q="$QUOTA" 'BEGIN {printf "%.3f", n / q}')
learned=$(median "${learned_s[@]}")
paced=$(median "${paced_s[@]}")
cpu=$(median "${cpu_us[@]}")
big_mib=$(awk -v k="$big_rss" 'BEGIN {printf "%.1f", k / 1024}')
small_mib=$(awk -v k="$small_rss" 'BEGIN {printf "%.1f", k / 1024}')
mid_mib=$(awk -v k="$mid_rss" 'BEGIN {printf "%.1f", k / 1024}')
window=$(median "${window_s[@]}")
# The windows the quota allows: the batch can end no sooner than the last one it needs
# opens.
window_ideal=$(awk -v n="$WINDOW_LINES" -v q="$WINDOW_SENDS" -v w="$WINDOW_MS" \
    'BEGIN {k = int((n + q - 1) / q); printf "%.3f", (k - 1) * w / 1000}')

echo
row "measure" "median" "" "reference (same run)" "median" "ratio" "target"
row "---" "---" "" "---" "---" "---" "---"
row "one send, wall time" "$send" ms "curl, same request (ms)" "$curl" "$(ratio "$send" "$curl")" "ratio <= 0.30"
row "one https send, --cacert, wall time" "$tls" ms "curl --cacert (ms)" "$curl_tls" "$(ratio "$tls" "$curl_tls")" "reported"
row "scope chat, wall time" "$scope" ms "/bin/true (ms)" "$true_" "$(ratio "$scope" "$true_")" "ratio <= 1.5"
row "$WINDOW_LINES lines, $WINDOW_SENDS per ${WINDOW_MS} ms window, no Retry-After" "$window" s "last window needed opens (s)" "$window_ideal" "$(ratio "$window" "$window_ideal")" "ratio <= 1.10"
row "  429s met (median)" "$(median "${window_429[@]}")" "" "-" "-" "-" "a few a window"
row "$QUOTA_LINES lines, quota $QUOTA/s, ${LATENCY_MS} ms" "$learned" s "lines / quota (s)" "$ideal" "$(ratio "$learned" "$ideal")" "ratio <= 1.05"
row "  429s met (median)" "$(median "${learned_429[@]}")" "" "-" "-" "-" "reported"
row "the same with --rate $QUOTA/s" "$paced" s "lines / quota (s)" "$ideal" "$(ratio "$paced" "$ideal")" "no 429"
row "  429s met (median)" "$(median "${paced_429[@]}")" "" "-" "-" "-" "0"
row "$BATCH_LINES-line batch, journal, CPU" "$cpu" "us/msg" "-" "-" "-" "reported"
row "$MID_LINES-line batch, peak RSS" "$mid_mib" MiB "$SMALL_LINES-line batch (MiB)" "$small_mib" "$(ratio "$mid_rss" "$small_rss")" "ratio <= 1.15"
row "$BIG_LINES-line batch, peak RSS" "$big_mib" MiB "$SMALL_LINES-line batch (MiB)" "$small_mib" "$(ratio "$big_rss" "$small_rss")" "<= 12 MiB"
row "send --video, 40 MB, peak RSS" "$(awk -v k="$video_rss" 'BEGIN {printf "%.1f", k / 1024}')" MiB "a text send (MiB)" "$(awk -v k="$text_rss" 'BEGIN {printf "%.1f", k / 1024}')" "$(ratio "$video_rss" "$text_rss")" "flat"
row "release binary size" "$(awk -v s="$size" 'BEGIN {printf "%.1f", s / 1048576}')" MiB "-" "-" "-" "reported"
if [[ -n "$build_s" ]]; then
    row "clean release build, wall time" "$build_s" s "-" "-" "-" "reported"
fi
echo
echo "($sent of $BIG_LINES lines of the large batch journaled as sent; $(nproc) CPUs)"
