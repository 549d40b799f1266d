#!/usr/bin/env bash
# Makes docs/chat-view.png, the README's picture of the sandbox's chat view: starts a
# sandbox, sends two messages with buttons, and photographs the page with headless
# Chromium. Installs Chromium and a font with Persian glyphs from Debian's packages
# when they are missing (run as root, or install them first).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet
bin=target/debug/kenar-chat
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null \
  && ! command -v google-chrome >/dev/null; then
  apt-get update -qq && apt-get install -y -qq chromium fonts-noto-core >/dev/null
fi
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
out=$(mktemp)
profile=$(mktemp -d)

"$bin" sandbox --port 0 >"$out" &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null; rm -rf "$out" "$profile"' EXIT
until grep -q 'Ctrl-C stops the sandbox' "$out"; do
  kill -0 "$sandbox" || { echo "the sandbox did not start" >&2; exit 1; }
  sleep 0.1
done
eval "$(grep '^export ' "$out")"

chat=(--user-id e9ba8a81-9583-4f7c-af54-b07df089d971 --post-token AZf3Uqr3
      --peer-id 1697004f-e902-44c2-bbbe-bf8e20d54bff)
"$bin" send "${chat[@]}" \
  --message 'Hello! Your order #42 has shipped and should arrive on Tuesday.' \
  --sender-caption 'Order details' --sender-icon info --sender-extra-data '{"order":42}' \
  --receiver-caption 'Track the parcel' --receiver-icon truck \
  --receiver-direct-link https://shop.example/track/42
"$bin" send "${chat[@]}" \
  --message 'سلام! سفارش شما ارسال شد و سه‌شنبه به دستتان می‌رسد.' \
  --sender-caption 'جزئیات سفارش' --sender-icon info --sender-extra-data '{"order":42}' \
  --receiver-caption 'پیگیری مرسوله' --receiver-icon truck \
  --receiver-direct-link https://shop.example/track/42

"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$profile" --window-size=1100,430 \
  --screenshot="$PWD/docs/chat-view.png" "$KENAR_API_URL/" 2>/dev/null
echo "wrote docs/chat-view.png"
