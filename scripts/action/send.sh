#!/usr/bin/env bash
# The action's send step. A single message (flags and/or a message file) is sent as a
# one-line batch, so that every run ends in the same JSON summary, with its count of
# lines in doubt, and a journal protects a single message from a re-run as it does a batch.
set -euo pipefail

case "$KENAR_CHAT_PLATFORM" in
  "" | legacy | current) ;;
  *)
    echo "::error::platform: must be \"legacy\" or \"current\", not \"$KENAR_CHAT_PLATFORM\""
    exit 2
    ;;
esac

# Whether a batch line (as `send --print-line` writes it) is on the platform asked for:
# a current-platform line names its conversation first.
check_platform() {
  local line=$1
  case "$KENAR_CHAT_PLATFORM:$line" in
    'current:{"conversation_id":'* | legacy:* | :*) ;;
    current:*)
      echo "::error::platform: \"current\" sends to a conversation; give --conversation-id (or conversation_id in the message file)"
      exit 2
      ;;
  esac
  case "$KENAR_CHAT_PLATFORM:$line" in
    'legacy:{"conversation_id":'*)
      echo "::error::platform: \"legacy\" sends to a chat named by --user-id, --post-token and --peer-id, not to a conversation"
      exit 2
      ;;
  esac
}

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
  # Checked, and written as the one line of a batch.
  batch="$RUNNER_TEMP/kenar-chat-message.jsonl"
  line=$(kenar-chat send "${args[@]}" --print-line)
  check_platform "$line"
  printf '%s\n' "$line" > "$batch"
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
