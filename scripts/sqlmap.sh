#!/usr/bin/env bash
# Runs sqlmap (Debian package `sqlmap`) against a throwaway SafeCampus
# server on loopback: the login form, the school list filters of the
# division page, and the JSON API with a Bearer token. Every target is on
# 127.0.0.1; every sqlmap run is bounded in time. Exits non-zero if sqlmap
# reports an injection point.
#
#   scripts/sqlmap.sh            # or: task sqlmap
#   SQLMAP_LEVEL=5 SQLMAP_RISK=3 SQLMAP_TIMEOUT=1200 scripts/sqlmap.sh
set -euo pipefail
cd "$(dirname "$0")/.."

LEVEL="${SQLMAP_LEVEL:-3}"
RISK="${SQLMAP_RISK:-2}"
PER_TARGET="${SQLMAP_TIMEOUT:-600}" # seconds per target
DBMS="${SQLMAP_DBMS:-}"             # empty: sqlmap tries every DBMS's payloads

if ! command -v sqlmap >/dev/null 2>&1; then
  echo "--- installing sqlmap (Debian package)"
  apt-get update -qq && apt-get install -y -qq sqlmap >/dev/null
fi

work="$(mktemp -d -t safecampus-sqlmap-XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -z "${SQLMAP_KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

echo "--- building and preparing a throwaway database in $work"
go build -o "$work/safecampus" ./cmd/safecampus
sc() { "$work/safecampus" "$@" --db "$work/sqlmap.db"; }
cat >"$work/schools.csv" <<'CSV'
code,name,type,division_code,address,students,boarders,police_station
1501020001,新城区第一小学,primary,150102,新城区一号,500,0,新城派出所
1501020002,新城区幼儿园,kindergarten,150102,新城区二号,120,0,新城派出所
1501030001,回民区初级中学,junior,150103,回民区三号,900,100,回民派出所
1502020001,东河区第一小学,primary,150202,东河区四号,300,0,东河派出所
CSV
sc import schools "$work/schools.csv" >/dev/null
printf 'Sqlmap-Pass-9\n' | sc user add --username admin --role admin --password-stdin >/dev/null
token="$(sc token create --username admin)"

echo "--- starting the server on 127.0.0.1"
# The server believes X-Forwarded-For only from loopback, as behind a local
# reverse proxy: sqlmap's xforwardedfor tamper then varies the client
# address, so the per-address login throttle (30 failures in 15 minutes)
# does not stop the scan of the username field after 30 requests.
"$work/safecampus" serve --addr 127.0.0.1:0 --db "$work/sqlmap.db" --trusted-proxy 127.0.0.0/8 \
  2>"$work/server.log" &
server_pid=$!
base=""
for _ in $(seq 1 100); do
  base="$(grep -o '"url":"http://127\.0\.0\.1:[0-9]*"' "$work/server.log" | head -1 | sed 's/"url":"//; s/"$//' || true)"
  [ -n "$base" ] && break
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "the server did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
case "$base" in http://127.0.0.1:*) ;; *) echo "refusing non-loopback target $base" >&2; exit 1 ;; esac
echo "server at $base"

# A signed-in session for the pages: the login form with its CSRF token.
jar="$work/cookies.txt"
csrf="$(curl -sf -c "$jar" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')"
curl -sf -b "$jar" -c "$jar" -o /dev/null -d "_csrf=$csrf&username=admin&password=Sqlmap-Pass-9" "$base/login"
session="$(awk '$6 == "sc_session" { print $7 }' "$jar")"
# The CSRF token is fixed per sc_csrf cookie: the login scans send this pair
# with every request, and ignore the cookies the server sets.
csrf_cookie="$(awk '$6 == "sc_csrf" { print $7 }' "$jar")"
[ -n "$session" ] || { echo "could not sign in" >&2; exit 1; }
day="$(TZ=Asia/Shanghai date -d yesterday +%F)"
deadline="$(TZ=Asia/Shanghai date -d '+14 days' +%F)"

common=(--batch --level "$LEVEL" --risk "$RISK" --timeout 15 --retries 1
  --time-sec 2 --disable-coloring --output-dir "$work/out")
[ -n "$DBMS" ] && common+=(--dbms "$DBMS")
fast=(--threads 4)

found=0
results=()
scan() {
  local name="$1"; shift
  local log="$work/$(echo "$name" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9' '_').log"
  echo "--- sqlmap: $name"
  local start=$SECONDS rc=0
  timeout "$PER_TARGET" sqlmap "${common[@]}" "$@" >"$log" 2>&1 || rc=$?
  local secs=$((SECONDS - start)) verdict
  if grep -q "sqlmap identified the following injection point" "$log"; then
    verdict="INJECTABLE"
    found=1
    grep -A12 "sqlmap identified the following injection point" "$log" | head -40
  elif [ "$rc" = 124 ]; then
    verdict="timed out after ${PER_TARGET}s, nothing found until then"
  elif grep -qE "do not appear to be injectable|does not seem to be injectable" "$log"; then
    verdict="not injectable"
  else
    verdict="no verdict (exit $rc); see $log"
  fi
  local reqs
  reqs="$(grep -c '"level":"INFO","msg":"request"' "$work/server.log" || true)"
  results+=("$(printf '%-48s %-45s %4ss  (server log: %s requests so far)' "$name" "$verdict" "$secs" "$reqs")")
  echo "    $verdict (${secs}s)"
}

scan "login form: username" "${fast[@]}" -u "$base/login" --method POST \
  --data "username=ops&password=wrong-password&_csrf=$csrf" -p username \
  --cookie "sc_csrf=$csrf_cookie" --drop-set-cookie --tamper xforwardedfor --ignore-code 401,429
scan "login form: password" "${fast[@]}" -u "$base/login" --method POST \
  --data "username=ops&password=wrong-password&_csrf=$csrf" -p password \
  --cookie "sc_csrf=$csrf_cookie" --drop-set-cookie --tamper xforwardedfor --ignore-code 401,429
scan "school list: q, type, uncovered, gap, basis, page" "${fast[@]}" \
  -u "$base/divisions/150100?q=%E5%B0%8F&type=primary&uncovered=security_guards&gap=rule_failed&basis=verified&page=1" \
  -p "q,type,uncovered,gap,basis,page" --cookie "sc_session=$session"
scan "school list: division code in the path" "${fast[@]}" \
  -u "$base/divisions/150100*?q=x" --cookie "sc_session=$session"
scan "school export: q, type, uncovered" "${fast[@]}" \
  -u "$base/divisions/150100/schools.csv?q=x&type=primary&uncovered=nursing_post" -p "q,type,uncovered" \
  -H "Authorization: Bearer $token"
scan "API coverage: code, basis, as_of" "${fast[@]}" \
  -u "$base/api/v1/coverage/150100*?basis=verified&as_of=$day" -H "Authorization: Bearer $token"
scan "API coverage: query parameters" "${fast[@]}" \
  -u "$base/api/v1/coverage/150100?basis=verified&as_of=$day" -p "basis,as_of" -H "Authorization: Bearer $token"
scan "API school: code, basis" "${fast[@]}" \
  -u "$base/api/v1/schools/1501020001*?basis=reported" -H "Authorization: Bearer $token"
scan "API checklist JSON body" "${fast[@]}" \
  -u "$base/api/v1/schools/1501020001/checklists" -H "Authorization: Bearer $token" \
  --data "{\"checked_on\":\"$day\",\"submit\":false,\"facts\":{\"security_guards\":{\"full_time_guards\":2}}}"
scan "API hazard JSON body" "${fast[@]}" \
  -u "$base/api/v1/schools/1501020001/hazards" -H "Authorization: Bearer $token" \
  --data "{\"measure\":\"other\",\"description\":\"gate\",\"severity\":\"low\",\"deadline\":\"$deadline\"}"

echo
echo "=== sqlmap summary (level $LEVEL, risk $RISK, dbms ${DBMS:-any})"
printf '%s\n' "${results[@]}"
echo "server answers during the scans, by route and status:"
grep -o '"method":"[A-Z]*","path":"[^"]*","status":[0-9]*' "$work/server.log" |
  sed -E 's/"method":"([A-Z]+)","path":"(.*)","status":([0-9]+)$/\1 \3 \2/' |
  awk '{ m = $1; st = $2; p = substr($0, length(m) + length(st) + 3)
         gsub(/[0-9][0-9][0-9][0-9][0-9][0-9]+/, "N", p)
         if (match(p, /[^A-Za-z0-9\/._-]/)) p = substr(p, 1, RSTART - 1) "<payload>"
         print m, p, st }' | sort | uniq -c | sort -rn | head -40 || true # head closes the pipe early: not a failure
fives="$(grep -c '"status":5[0-9][0-9]' "$work/server.log" || true)"
echo "server responses with 5xx during the scans: $fives"
if [ "$found" != 0 ]; then
  echo "FAIL: sqlmap found an injection point" >&2
  exit 1
fi
echo "PASS: no injection point found"
