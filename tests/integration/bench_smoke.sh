#!/bin/bash
# A quick run of the benchmark (./quickstart bench) with few identities and
# repeats: it must run to its end, and the device round trips it counts must
# be exact. Its times are not asserted here; the full run reports them.
. "$abs_top_srcdir/tests/integration/lib.sh"

bash "$abs_top_srcdir/tests/bench/run-bench" "$abs_top_builddir" --smoke --out "$tmp/bench.json" \
	> "$tmp/stdout" 2> "$tmp/stderr"
expect_eq "the smoke run exits 0" 0 $?
expect_eq "nothing on stderr" "" "$(cat "$tmp/stderr")"
expect_eq "the table ends with where the figures went" "figures written to $tmp/bench.json" \
	"$(tail -n 1 "$tmp/stdout")"

# listing IDENTITIES CACHE: "GET_PUBLIC_KEY FEATURES" from the JSON row.
listing() {
	sed -n "s/.*\"identities\": $1, \"cache\": \"$2\".*\"get_public_key\": \([0-9]*\), \"features\": \([0-9]*\)}.*/\1 \2/p" \
		"$tmp/bench.json"
}
for n in 0 1 10; do
	expect_eq "cold listing of $n ids: one GetPublicKey each, Features once" "$n 1" "$(listing "$n" cold)"
	expect_eq "warm listing of $n ids: no GetPublicKey, Features once" "0 1" "$(listing "$n" warm)"
done
expect_eq "SoftHSM2 measured with 1 and 10 keys" 2 "$(grep -c '"keys": ' "$tmp/bench.json")"
expect_eq "signatures measured with a 0 and a 20 ms device" "0 20" \
	"$(sed -n 's/.*"sign_delay_ms": \([0-9]*\), "module_us": [0-9.]*, "direct_us": [0-9.]*,.*/\1/p' \
		"$tmp/bench.json" | tr '\n' ' ' | sed 's/ $//')"
expect_contains "4 threads signed" '"threads": {"threads": 4, "signatures_per_s": ' "$(cat "$tmp/bench.json")"
finish
