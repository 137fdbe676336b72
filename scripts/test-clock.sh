#!/usr/bin/env bash
# Runs a command (the SQLite half of the suite, from `make test-clock`) under libfaketime at
# three moments of Vietnam time: the next 23:30, the next 06:30, and 00:30 on 1 January 2027
# (a new month, a new year, the day the 8 % VAT cut ends). Each run moves the clock by an
# offset (`faketime -f "+Ns"`), never to a start time: every process a test spawns then reads
# the same moved clock, running on, instead of each one starting again at the same moment
# (leases between processes would break). Exits non-zero if any run failed.
set -euo pipefail

zone=Asia/Ho_Chi_Minh
moments=("next 23:30" "next 06:30" "2027-01-01 00:30")

epoch_of() {  # the moment named by $1, as seconds since the epoch
    local at
    case "$1" in
        next\ *)  # the next such time of day in Vietnam time (no summer time there)
            at=$(TZ=$zone date -d "today ${1#next }" +%s)
            (( at > $(date +%s) )) || at=$(( at + 86400 ))
            echo "$at" ;;
        *) TZ=$zone date -d "$1" +%s ;;
    esac
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
summaries=()
failed=0
for moment in "${moments[@]}"; do
    at=$(epoch_of "$moment")
    offset=$(( at - $(date +%s) ))
    shift_by=$(printf '%+ds' "$offset")
    shown=$(TZ=$zone date -d "@$at" '+%Y-%m-%d %H:%M %Z')
    seen=$(faketime -f "$shift_by" date +%s)
    if (( seen < at - 60 || seen > at + 60 )); then
        echo "test-clock: libfaketime did not move the clock to $shown (read $(date -d "@$seen"))" >&2
        exit 2
    fi
    echo "test-clock: $shown (faketime -f $shift_by)"
    status=0
    faketime -f "$shift_by" "$@" 2>&1 | tee "$log" || status=$?
    (( status == 0 )) || failed=1
    summaries+=("$shown: $(tail -n 1 "$log" | tr -d '=' | xargs)")
done
echo "test-clock summary:"
printf "  %s\n" "${summaries[@]}"
exit $failed
