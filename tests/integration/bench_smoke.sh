#!/bin/bash
# A quick run of the benchmark (./quickstart bench) with few identities and
# runs: it must run to its end, and what it counts on the wire must be
# exact. Its times are not asserted here; the full run reports them.
. "$abs_top_srcdir/tests/integration/lib.sh"

bash "$abs_top_srcdir/tests/bench/run-bench" "$abs_top_builddir" --smoke --out "$tmp/bench.json" \
	> "$tmp/stdout" 2> "$tmp/stderr"
expect_eq "the smoke run exits 0" 0 $?
expect_eq "nothing on stderr" "" "$(cat "$tmp/stderr")"
expect_eq "the table ends with where the figures went" "figures written to $tmp/bench.json" \
	"$(tail -n 1 "$tmp/stdout")"

# listing IDENTITIES CACHE: "ROUND_TRIPS SENT RECEIVED" from the JSON row.
listing() {
	sed -n "s/.*\"identities\": $1, \"cache\": \"$2\".*\"round_trips\": \([0-9]*\), \"datagrams_sent\": \([0-9]*\), \"datagrams_received\": \([0-9]*\)}.*/\1 \2 \3/p" \
		"$tmp/bench.json"
}
# A warm listing asks for Features only (1 report; Features is 4). Cold:
# Features, Initialize (Features again) and a GetPublicKey per identity
# (PublicKey is 4 reports); with no identity there is no session to start.
expect_eq "warm listings: GetFeatures only, no PINGPING" "1 1 4
1 1 4
1 1 4" "$(listing 0 warm; listing 1 warm; listing 10 warm)"
expect_eq "cold listing of 0 ids: GetFeatures only" "1 1 4" "$(listing 0 cold)"
expect_eq "cold listing of 1 id: GetFeatures, Initialize, one GetPublicKey" "3 3 12" \
	"$(listing 1 cold)"
expect_eq "cold listing of 10 ids: GetFeatures, Initialize, ten GetPublicKey" "12 12 48" \
	"$(listing 10 cold)"

# program NAME: "ROUND_TRIPS SENT RECEIVED SEEDS" from the JSON row.
program() {
	sed -n "s/.*\"program\": \"$1\", \"round_trips\": \([0-9]*\), \"datagrams_sent\": \([0-9]*\), \"datagrams_received\": \([0-9]*\), \"seed_derivations\": \([0-9]*\)}.*/\1 \2 \3 \4/p" \
		"$tmp/bench.json"
}
# SignIdentity is 2 reports, ButtonRequest 1, ButtonAck 1, SignedIdentity 2.
expect_eq "a device just powered on: the cold listing starts the one session" "3 3 12 1" \
	"$(program "keygen cold")"
expect_eq "then a warm listing: GetFeatures" "1 1 4 0" "$(program "keygen warm")"
expect_eq "ssh -I: GetFeatures, Initialize (resumed), SignIdentity, ButtonAck" "4 5 11 0" \
	"$(program "ssh -I")"
expect_eq "ssh-add -s: GetFeatures" "1 1 4 0" "$(program "ssh-add -s")"
expect_eq "a login through the agent: Initialize (resumed), SignIdentity, ButtonAck" \
	"3 4 7 0" "$(program "agent login")"
expect_eq "pkcs11-tool --sign: as ssh -I" "4 5 11 0" "$(program "pkcs11-tool")"
expect_eq "the bare client: Initialize, SignIdentity, ButtonAck" "3 4 7 0" "$(program "bare")"
expect_contains "one seed derivation per power cycle" '"seed_derivations_per_power_cycle": 1,' \
	"$(cat "$tmp/bench.json")"
expect_contains "its target is met" "  seed derivations per power cycle, one (1): met" \
	"$(cat "$tmp/stdout")"
expect_eq "SoftHSM2 measured with 1 and 10 keys" 2 "$(grep -c '"softhsm_keys": ' "$tmp/bench.json")"
expect_contains "the cost of each program timed" '"cost_ms": {"bare": {"min": ' \
	"$(cat "$tmp/bench.json")"
expect_contains "the throughput line says what it is" \
	"Throughput, the module's own work with an instant device (no real Trezor" \
	"$(cat "$tmp/stdout")"
finish
