#!/usr/bin/env bash
# Registration meets the modules that check a visitor (channel, face) and count consultants'
# tasks (follow-up) only through its extension points and web slot: it must not name them, in
# C++, manifest, scripts or pages, or every new module would mean editing registration again.
# The exceptions are the applied migrations that created their old columns and folded them into
# `checks` (migrations are never edited once shipped).
set -euo pipefail
cd "$(dirname "$0")/../.."
pattern='\bchannel\b|\bface\b|followup|follow-up|follow_up|report_code|photo|QrScanner|PhotoCapture'
if matches=$(grep -rniE "$pattern" plugins/registration --exclude=001_registration.sql --exclude=002_visit_checks.sql); then
  echo "registration names a module it should meet only through its extension points:"
  echo "$matches"
  exit 1
fi
echo "registration names no module it meets through extension points"
