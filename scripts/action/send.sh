#!/usr/bin/env bash
# The action's send step. A single message (flags and/or a message file) is sent as a
# one-line batch, so that every run ends in the same JSON summary, with its count of
# lines in doubt, and a journal protects a single message from a re-run as it does a batch.
set -euo pipefail

if [ "$KENAR_CHAT_PLATFORM" != legacy ]; then
  echo "::error::platform: \"$KENAR_CHAT_PLATFORM\" is not supported; the only platform is \"legacy\""
  exit 2
fi

# Flags are given one per line, "--name" or "--name value": the value is the rest of the
# line as written, so it needs no quoting and nothing in it is expanded.
flags_from_lines() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    case "$line" in
      "") ;;
      *" "*) args+=("${line%% *}" "${line#* }") ;;
      *) args+=("$line") ;;
    esac
  done <<< "$1"
}

if [ -n "$KENAR_CHAT_BATCH" ]; then
  if [ -n "$KENAR_CHAT_FLAGS$KENAR_CHAT_MESSAGE_FILE" ]; then
    echo "::error::batch: give either a batch file or one message (flags, message-file), not both"
    exit 2
  fi
  batch=$KENAR_CHAT_BATCH
else
  args=()
  flags_from_lines "$KENAR_CHAT_FLAGS"
  if [ -n "$KENAR_CHAT_MESSAGE_FILE" ]; then args+=(--file "$KENAR_CHAT_MESSAGE_FILE"); fi
  if [ "${#args[@]}" -eq 0 ]; then
    echo "::error::flags, message-file or batch: give the message to send"
    exit 2
  fi
  # The dry run checks the message and prints the request; its last line is the body,
  # exactly as it would be sent, which is what a batch line holds.
  batch="$RUNNER_TEMP/kenar-chat-message.jsonl"
  kenar-chat send "${args[@]}" --dry-run | tail -n 1 > "$batch"
fi

args=(--batch "$batch" -o json)
if [ -n "$KENAR_CHAT_JOURNAL" ]; then args+=(--journal "$KENAR_CHAT_JOURNAL"); fi
flags_from_lines "$KENAR_CHAT_OPTIONS"
status=0
summary=$(kenar-chat send "${args[@]}") || status=$?

in_doubt=false
case "$summary" in
  *'"in_doubt":0,'*) ;;
  *'"in_doubt":'*) in_doubt=true ;;
esac
{
  echo "summary=$summary"
  echo "in-doubt=$in_doubt"
} >> "$GITHUB_OUTPUT"
echo "$summary"
exit "$status"
