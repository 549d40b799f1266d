#!/usr/bin/env bash
# Performance figures for the README's "Performance" section. Builds the release binary,
# starts a local HTTP server (examples/bench_server.rs), and prints the median of several
# runs of each measure next to a reference measured in the same run, with their ratio.
#
#   scripts/bench.sh                  # RUNS=7 BIG_LINES=1000000 by default
#   RUNS=3 BIG_LINES=200000 scripts/bench.sh
#
# Needs bash 5 (for $EPOCHREALTIME), curl, wrk, oha and GNU time. Installs curl, wrk and
# GNU time with apt-get, and oha from crates.io with `cargo install` (built without its
# default TLS backend against the system's OpenSSL, for which apt-get brings libssl-dev;
# the first build takes several CPU-minutes), when they are missing. Not run by CI:
# timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
BIG_LINES=${BIG_LINES:-1000000}
BATCH_LINES=10000
CONCURRENCY=16

OHA=${CARGO_HOME:-$HOME/.cargo}/bin/oha

install() {
    local missing=()
    command -v curl >/dev/null || missing+=(curl)
    command -v wrk >/dev/null || missing+=(wrk)
    [[ -x /usr/bin/time ]] || missing+=(time)
    if [[ ! -x "$OHA" ]]; then
        dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
        command -v pkg-config >/dev/null || missing+=(pkg-config)
    fi
    if ((${#missing[@]})); then
        local sudo=()
        ((EUID == 0)) || sudo=(sudo)
        "${sudo[@]}" apt-get install -y "${missing[@]}"
    fi
    if [[ ! -x "$OHA" ]]; then
        echo "installing oha from crates.io..." >&2
        # oha needs one TLS backend to build; native-tls links the system's OpenSSL rather
        # than compiling one. Plain HTTP to loopback uses neither.
        cargo install oha --locked --no-default-features --features native-tls >&2
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
echo "building the release binary and the bench server..." >&2
cargo build --release --locked --bin kenar-chat --example bench_server >&2
BIN=target/release/kenar-chat

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kenar-bench.XXXXXX")
target/release/examples/bench_server 0 >"$WORK/address" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
until [[ -s "$WORK/address" ]]; do sleep 0.05; done
URL=$(head -n 1 "$WORK/address")

export KENAR_API_KEY=bench-api-key KENAR_ACCESS_TOKEN=bench-access-token
USER_ID=e9ba8a81-9583-4f7c-af54-b07df089d971
POST=AZf3Uqr3
BODY="{\"user_id\":\"$USER_ID\",\"post_token\":\"$POST\",\"peer_id\":\"peer-1\",\"type\":\"TEXT\",\"message\":\"Your order has shipped\"}"
ENDPOINT="$URL/v2/open-platform/chat/conversation"

batch_file() { # lines, path: every line a different chat
    awk -v n="$1" -v u="$USER_ID" -v p="$POST" 'BEGIN {
        for (i = 1; i <= n; i++)
            printf "{\"user_id\":\"%s\",\"post_token\":\"%s\",\"peer_id\":\"peer-%08d\",\"message\":\"Your order has shipped\"}\n", u, p, i
    }' >"$2"
}
batch_file "$BATCH_LINES" "$WORK/batch.jsonl"
batch_file "$BIG_LINES" "$WORK/big.jsonl"

send_one() {
    "$BIN" send --base-url "$URL" --user-id "$USER_ID" --post-token "$POST" \
        --peer-id peer-1 --message 'Your order has shipped'
}
curl_one() {
    curl -sS -o /dev/null -X POST -H 'content-type: application/json' \
        -H "x-api-key: $KENAR_API_KEY" -H "x-access-token: $KENAR_ACCESS_TOKEN" \
        --data "$BODY" "$ENDPOINT"
}
batch_command() { # input, journal: the command line, for both timing and GNU time
    echo "$BIN" send --base-url "$URL" --batch "$1" --concurrency "$CONCURRENCY" --journal "$2"
}
send_batch() { # input, journal
    rm -f "$2"
    $(batch_command "$1" "$2")
}
send_batch_unjournaled() { # input
    "$BIN" send --base-url "$URL" --batch "$1" --concurrency "$CONCURRENCY"
}
# The two load generators replay one prepared request over $CONCURRENCY kept-alive
# connections for 3 s: wrk is hand-tuned C, oha a Rust client on tokio and hyper.
wrk_rps() {
    cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["content-type"] = "application/json"
wrk.headers["x-api-key"] = "$KENAR_API_KEY"
wrk.headers["x-access-token"] = "$KENAR_ACCESS_TOKEN"
EOF
    wrk -t 2 -c "$CONCURRENCY" -d 3s -s "$WORK/post.lua" "$ENDPOINT" |
        awk '/^Requests\/sec/ {print $2}'
}
oha_rps() {
    "$OHA" -c "$CONCURRENCY" -z 3s --no-tui -m POST -H 'content-type: application/json' \
        -H "x-api-key: $KENAR_API_KEY" -H "x-access-token: $KENAR_ACCESS_TOKEN" \
        -d "$BODY" "$ENDPOINT" | awk '/Requests\/sec:/ {print $2}'
}

echo "measuring ($RUNS runs each)..." >&2
send_ms=() curl_ms=() scope_ms=() true_ms=() batch_rps=() bare_rps=() wrk_rps_runs=() oha_rps_runs=()
for ((i = 0; i < RUNS; i++)); do
    send_ms+=("$(wall_ms send_one)")
    curl_ms+=("$(wall_ms curl_one)")
    scope_ms+=("$(wall_ms "$BIN" scope chat --user-id "$USER_ID" --post-token "$POST" --peer-id peer-1)")
    true_ms+=("$(wall_ms /bin/true)")
done
for ((i = 0; i < RUNS; i++)); do
    ms=$(wall_ms send_batch "$WORK/batch.jsonl" "$WORK/journal")
    batch_rps+=("$(awk -v n="$BATCH_LINES" -v ms="$ms" 'BEGIN {printf "%.0f", n / ms * 1000}')")
    ms=$(wall_ms send_batch_unjournaled "$WORK/batch.jsonl")
    bare_rps+=("$(awk -v n="$BATCH_LINES" -v ms="$ms" 'BEGIN {printf "%.0f", n / ms * 1000}')")
    wrk_rps_runs+=("$(wrk_rps)")
    oha_rps_runs+=("$(oha_rps)")
done
rm -f "$WORK/journal" "$WORK/big-journal"
small_rss=$(max_rss_kib $(batch_command "$WORK/batch.jsonl" "$WORK/journal"))
echo "sending $BIG_LINES lines for peak memory..." >&2
big_rss=$(max_rss_kib $(batch_command "$WORK/big.jsonl" "$WORK/big-journal"))
sent=$(grep -c '^S ' "$WORK/big-journal" || true)
size=$(stat -c %s "$BIN")

send=$(median "${send_ms[@]}")
curl=$(median "${curl_ms[@]}")
scope=$(median "${scope_ms[@]}")
true_=$(median "${true_ms[@]}")
batch=$(median "${batch_rps[@]}")
bare=$(median "${bare_rps[@]}")
wrk=$(median "${wrk_rps_runs[@]}")
oha=$(median "${oha_rps_runs[@]}")
big_mib=$(awk -v k="$big_rss" 'BEGIN {printf "%.1f", k / 1024}')
small_mib=$(awk -v k="$small_rss" 'BEGIN {printf "%.1f", k / 1024}')

echo
row "measure" "median" "" "reference (same run)" "median" "ratio" "target"
row "---" "---" "" "---" "---" "---" "---"
row "one send, wall time" "$send" ms "curl, same request (ms)" "$curl" "$(ratio "$send" "$curl")" "ratio <= 1"
row "scope chat, wall time" "$scope" ms "/bin/true (ms)" "$true_" "$(ratio "$scope" "$true_")" "<= 2 ms"
row "$BATCH_LINES-line batch, c=$CONCURRENCY, journal" "$batch" req/s "wrk, c=$CONCURRENCY (req/s)" "$wrk" "$(ratio "$batch" "$wrk")" "ratio >= 0.80"
row "$BATCH_LINES-line batch, c=$CONCURRENCY, journal" "$batch" req/s "oha, c=$CONCURRENCY (req/s)" "$oha" "$(ratio "$batch" "$oha")" "ratio >= 0.80"
row "$BATCH_LINES-line batch, c=$CONCURRENCY, no journal" "$bare" req/s "oha, c=$CONCURRENCY (req/s)" "$oha" "$(ratio "$bare" "$oha")" "-"
row "$BIG_LINES-line batch, peak RSS" "$big_mib" MiB "$BATCH_LINES-line batch (MiB)" "$small_mib" "$(ratio "$big_rss" "$small_rss")" "<= 25 MiB"
row "release binary size" "$(awk -v s="$size" 'BEGIN {printf "%.1f", s / 1048576}')" MiB "-" "-" "-" "reported"
echo
echo "($sent of $BIG_LINES lines of the large batch journaled as sent; $(nproc) CPUs)"
