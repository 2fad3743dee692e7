#!/bin/bash
# Registered with p11-kit, the module is listed by p11-kit, and programs that
# load p11-kit-proxy.so (ssh-keygen here) or all p11-kit modules (p11tool)
# see its token and keys. p11-kit's and p11tool's listings are read as facts
# (lib.sh), whatever the versions' layout.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com'

# p11-kit ignores per-user configs for root: root writes a system config.
name="trezor-pkcs11-test-$$"
if [ "$(id -u)" -eq 0 ]; then
	config_dir=$(pkg-config --variable=p11_module_configs p11-kit-1)
else
	config_dir="$HOME/.config/pkcs11/modules"
fi
mkdir -p "$config_dir"
sed "s|@libdir@|$(dirname "$MODULE")|" "$abs_top_srcdir/p11-kit/trezor-pkcs11.module.in" \
	> "$config_dir/$name.module"
cleanup_commands+=("rm -f '$config_dir/$name.module'")

expect_eq "p11-kit list-modules shows the module, its library and its token" "module $name
  path: $MODULE
  library-description: Trezor PKCS#11 module
  library-manufacturer: trezor-pkcs11 project
  library-version: 0.1
token Simulated Trezor
  manufacturer: SatoshiLabs
  model: Trezor One
  serial-number: 58ACF278961FCEF6
  hardware-version: 1.0
  firmware-version: 1.14
  flags: protected-authentication-path, token-initialized, write-protected" \
	"$(p11-kit list-modules 2>&1 | p11kit_module "$name")"

proxy=$(pkg-config --variable=proxy_module p11-kit-1)
expect_eq "ssh-keygen -D through p11-kit-proxy.so" "$ALICE_KEY alice@example.com" \
	"$(ssh-keygen -D "$proxy" 2>&1)"

url="pkcs11:model=Trezor%20One;manufacturer=SatoshiLabs;serial=58ACF278961FCEF6;token=Simulated%20Trezor"
# p11tool_objects sorts each URL's attributes.
url_of() {
	printf 'pkcs11:id=%%20%%16%%0E%%D6%%A1%%6F%%08%%90%%58%%D1%%DD%%9D%%DB%%B3%%A4%%A3;manufacturer=SatoshiLabs;model=Trezor%%20One;object=alice%%40example.com;serial=58ACF278961FCEF6;token=Simulated%%20Trezor;type=%s' "$1"
}
expect_eq "p11tool --list-all shows alice's public and private key" "object
  URL: $(url_of public)
  Type: Public key (EC/ECDSA-SECP256R1)
  Label: alice@example.com
  ID: 20:16:0e:d6:a1:6f:08:90:58:d1:dd:9d:db:b3:a4:a3
object
  URL: $(url_of private)
  Type: Private key (EC/ECDSA-SECP256R1)
  Label: alice@example.com
  Flags: CKA_NEVER_EXTRACTABLE, CKA_SENSITIVE
  ID: 20:16:0e:d6:a1:6f:08:90:58:d1:dd:9d:db:b3:a4:a3" \
	"$(p11tool --list-all "$url" 2>&1 | p11tool_objects)"
finish
