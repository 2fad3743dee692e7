/* Bitcoin encodings for the simulator. See sim_bitcoin.h. */
#include "config.h"

#include "sim_bitcoin.h"

#include <string.h>

#include <openssl/evp.h>

#include "trezor.pb-c.h"

#define HARDENED 0x80000000u

/* The firmware's limits on the parts of a BIP-44 style path. */
#define MAX_ACCOUNT 100
#define MAX_CHANGE 1
#define MAX_ADDRESS_INDEX 1000000

static const struct sim_coin coins[] = {
	{ "Bitcoin", HARDENED | 0, 0x00, 0x0488b21e, 0x049d7cb2, 0x04b24746 },
	{ "Testnet", HARDENED | 1, 0x6f, 0x043587cf, 0x044a5262, 0x045f1cf6 },
};

const struct sim_coin *sim_coin_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return &coins[0];
	for (i = 0; i < sizeof(coins) / sizeof(coins[0]); i++)
		if (strcmp(name, coins[i].name) == 0)
			return &coins[i];
	return NULL;
}

void sim_hash160(const uint8_t *data, size_t length, uint8_t out[20])
{
	uint8_t sha[32], ripe[EVP_MAX_MD_SIZE];
	unsigned int ripe_length = 0;

	memset(out, 0, 20);
	if (EVP_Digest(data, length, sha, NULL, EVP_sha256(), NULL) == 1 &&
	    EVP_Digest(sha, sizeof(sha), ripe, &ripe_length, EVP_ripemd160(), NULL) == 1 &&
	    ripe_length == 20)
		memcpy(out, ripe, 20);
}

static void sha256d(const uint8_t *data, size_t length, uint8_t out[32])
{
	uint8_t once[32];

	EVP_Digest(data, length, once, NULL, EVP_sha256(), NULL);
	EVP_Digest(once, sizeof(once), out, NULL, EVP_sha256(), NULL);
}

static const char base58_alphabet[] =
	"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Base58 of data (a big-endian number, each leading zero byte as '1'). */
static bool base58_encode(const uint8_t *data, size_t length, char *out, size_t size)
{
	uint8_t digits[160] = { 0 };    /* base-58 digits, least significant first */
	size_t count = 0, zeros = 0, i, j, n = 0;

	if (length > 110)               /* 110 bytes take at most 151 digits */
		return false;
	while (zeros < length && data[zeros] == 0)
		zeros++;
	for (i = zeros; i < length; i++) {
		unsigned carry = data[i];

		for (j = 0; j < count; j++) {
			carry += (unsigned)digits[j] << 8;
			digits[j] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		while (carry > 0 && count < sizeof(digits)) {
			digits[count++] = (uint8_t)(carry % 58);
			carry /= 58;
		}
	}
	if (zeros + count + 1 > size)
		return false;
	for (i = 0; i < zeros; i++)
		out[n++] = '1';
	for (i = count; i > 0; i--)
		out[n++] = base58_alphabet[digits[i - 1]];
	out[n] = '\0';
	return true;
}

bool sim_base58check(const uint8_t *data, size_t length, char *out, size_t size)
{
	uint8_t buffer[110], hash[32];

	if (length + 4 > sizeof(buffer))
		return false;
	memcpy(buffer, data, length);
	sha256d(data, length, hash);
	memcpy(buffer + length, hash, 4);
	return base58_encode(buffer, length + 4, out, size);
}

bool sim_p2pkh_address(uint8_t version, const uint8_t public_key[33], char *out, size_t size)
{
	uint8_t raw[21];

	raw[0] = version;
	sim_hash160(public_key, 33, raw + 1);
	return sim_base58check(raw, sizeof(raw), out, size);
}

void sim_message_digest(const uint8_t *message, size_t length, uint8_t digest[32])
{
	static const char header[] = "\x18" "Bitcoin Signed Message:\n";
	uint8_t data[sizeof(header) - 1 + 1 + 0xfc];
	size_t used = sizeof(header) - 1;

	if (length >= 0xfd)             /* a longer varint is never needed here */
		length = 0xfc;
	memcpy(data, header, used);
	data[used++] = (uint8_t)length;
	memcpy(data + used, message, length);
	sha256d(data, used + length, digest);
}

/* m / purpose' / coin' / account' / change / index, with the firmware's limits. */
static bool account_path(const struct sim_coin *coin, const uint32_t *path, size_t depth)
{
	return depth == 5 && path[1] == coin->slip44 && (path[2] & HARDENED) != 0 &&
	       (path[2] & ~HARDENED) <= MAX_ACCOUNT && path[3] <= MAX_CHANGE &&
	       path[4] <= MAX_ADDRESS_INDEX;
}

bool sim_coin_path_matches(const struct sim_coin *coin, uint32_t script_type,
			   const uint32_t *path, size_t depth, bool full)
{
	uint32_t own;

	if (depth == 0)
		return false;
	switch (path[0]) {
	case HARDENED | 44: own = TZ__INPUT_SCRIPT_TYPE__SPENDADDRESS; break;
	case HARDENED | 49: own = TZ__INPUT_SCRIPT_TYPE__SPENDP2SHWITNESS; break;
	case HARDENED | 84: own = TZ__INPUT_SCRIPT_TYPE__SPENDWITNESS; break;
	case HARDENED | 86: own = TZ__INPUT_SCRIPT_TYPE__SPENDTAPROOT; break;
	default: return false;
	}
	/* Both coins have SegWit, bech32 and Taproot, which 49', 84' and 86' need. */
	return account_path(coin, path, depth) && (!full || script_type == own);
}
