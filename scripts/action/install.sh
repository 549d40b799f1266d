#!/usr/bin/env bash
# The action's install step: downloads the kenar-chat release archive for this runner's
# OS and architecture, checks it against the release's SHA256SUMS before unpacking it,
# and puts the binary on the job's PATH.
#
# KENAR_CHAT_VERSION and KENAR_CHAT_REPOSITORY may be empty: the action was then taken
# from a release (`uses: OWNER/REPO@vX.Y.Z`), which the runner checks out under
# .../_actions/OWNER/REPO/vX.Y.Z, and that release is the one installed.
set -euo pipefail

action_ref=$(basename "$GITHUB_ACTION_PATH")
action_repo=$(basename "$(dirname "$(dirname "$GITHUB_ACTION_PATH")")")/$(basename "$(dirname "$GITHUB_ACTION_PATH")")
case "$GITHUB_ACTION_PATH" in
  */_actions/*/*/*) ;;
  *) action_ref="" action_repo="" ;;
esac
version=${KENAR_CHAT_VERSION:-$action_ref}
repository=${KENAR_CHAT_REPOSITORY:-$action_repo}
case "$version" in
  v[0-9]*) ;;
  *)
    echo "::error::version: give the release to install, such as v0.1.0 (the action was not taken from a release tag)"
    exit 2
    ;;
esac
if [ -z "$repository" ]; then
  echo "::error::repository: give the repository whose releases to install from, such as OWNER/kenar-chat"
  exit 2
fi

case "$RUNNER_OS/$RUNNER_ARCH" in
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *)
    echo "::error::kenar-chat has no release for $RUNNER_OS on $RUNNER_ARCH"
    exit 2
    ;;
esac
name="kenar-chat-$version-$target"
if [ "$RUNNER_OS" = Windows ]; then archive="$name.zip"; else archive="$name.tar.gz"; fi

release="$GITHUB_SERVER_URL/$repository/releases/download/$version"
dir="$RUNNER_TEMP/kenar-chat-install"
rm -rf "$dir"
mkdir -p "$dir"
download() { curl --fail --silent --show-error --location --retry 3 --output "$dir/$1" "$release/$1"; }
download SHA256SUMS
download "$archive"

expected=$(awk -v file="$archive" '$2 == file { print $1 }' "$dir/SHA256SUMS")
if command -v sha256sum > /dev/null; then
  actual=$(sha256sum "$dir/$archive" | cut -d ' ' -f 1)
else
  actual=$(shasum -a 256 "$dir/$archive" | cut -d ' ' -f 1)
fi
if [ -z "$expected" ]; then
  echo "::error::$release/SHA256SUMS has no checksum for $archive"
  exit 1
fi
if [ "$actual" != "$expected" ]; then
  echo "::error::$archive does not match its checksum in SHA256SUMS (SHA-256 $actual, expected $expected)"
  exit 1
fi

if [ "$RUNNER_OS" = Windows ]; then
  unzip -q "$dir/$archive" -d "$dir"
else
  tar -xzf "$dir/$archive" -C "$dir"
fi
echo "$dir/$name" >> "$GITHUB_PATH"
echo "installed kenar-chat $version ($target) from $release"
