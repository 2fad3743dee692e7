#!/bin/bash
# Passphrase wallets: from TREZOR_PASSPHRASE, from pinentry (asked once per
# device session, across programs), or typed on the device; and a core model
# whose PIN is typed on its own screen.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --passphrase-protection
write_identities 'alice@example.com'
use_fake_pinentry
export FAKE_PINENTRY_PASSPHRASE=TREZOR

# TREZOR_PASSPHRASE: another wallet, other keys; pinentry is not asked.
expect_eq "TREZOR_PASSPHRASE=TREZOR gives that wallet's key" "$ALICE_TREZOR_KEY alice@example.com" \
	"$(TREZOR_PASSPHRASE=TREZOR ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "an empty TREZOR_PASSPHRASE is the standard wallet" "$ALICE_KEY alice@example.com" \
	"$(TREZOR_PASSPHRASE= TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "no pinentry for either" 0 "$(pinentry_count)"

# From pinentry, once: the device keeps it in the session, which every
# program of this user resumes.
restart_sim --passphrase-protection
setup_sshd "$ALICE_TREZOR_KEY alice@example.com"
expect_eq "pinentry's passphrase gives that wallet's key" "$ALICE_TREZOR_KEY alice@example.com" \
	"$(ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "asked, with a description of wallets" "GETPIN Trezor passphrase: description=yes" \
	"$(cat "$tmp/pinentry.log")"
for login in first second third; do
	expect_eq "ssh -I login, $login" "$login" \
		"$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo $login 2>&1)"
done
expect_eq "the passphrase was asked once for all of them" 1 "$(pinentry_count)"
expect_eq "the device was asked for it once" 1 "$(sim_count '<- PassphraseAck')"

# TREZOR_PASSPHRASE names a wallet; unset again, the person's wallet comes
# back, with its own session: the named one is not kept by mistake.
expect_eq "TREZOR_PASSPHRASE=other: that wallet" 1 \
	"$(TREZOR_PASSPHRASE=other TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" 2>&1 | grep -c '^ecdsa')"
expect_eq "unset: the pinentry wallet's key, from its session" "$ALICE_TREZOR_KEY alice@example.com" \
	"$(TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "no new question for it" 1 "$(pinentry_count)"

# A Safe 5 with its PIN and passphrase typed on its screen: no pinentry. Its
# PIN was typed at power-on; it asks again once it has locked itself.
restart_sim --model "Safe 5" --pin 1234 --passphrase-protection --device-passphrase TREZOR \
	--auto-lock-delay 1000
sleep 1.2
: > "$tmp/pinentry.log"
export FAKE_PINENTRY_CANCEL=1           # would fail the test, were it asked
stdout=$(script -qec "ssh -F '$tmp/ssh_config' -I '$MODULE' simhost echo on the device" \
	/dev/null < /dev/null | tr -d '\r')
expect_eq "ssh -I with PIN and passphrase on the device" "Enter your PIN on the Trezor
Enter your passphrase on the Trezor
Confirm on your Trezor: sign in as alice@example.com
on the device" "$stdout"
expect_eq "pinentry was never asked" 0 "$(pinentry_count)"
expect_eq "the passphrase came from the device" 1 "$(sim_count 'wallet chosen (a passphrase)')"
finish
