/*
 * The simulator's key derivation and signing against published vectors:
 * SLIP-0010 (every nist256p1 and secp256k1 table, both retry vectors),
 * BIP-39 seeds, and deterministic low-S ECDSA.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec.h"
#include "helpers.h"
#include "sim_keys.h"
#include "sim_sign.h"

struct node_vector {
	const char *path;               /* "m/0H/1", H = hardened */
	const char *fingerprint, *chain, *private_key, *public_key;
};

struct slip10_table {
	const char *name;
	enum sim_curve curve;
	const char *seed;
	struct node_vector nodes[7];
};

#define SEED_1 "000102030405060708090a0b0c0d0e0f"
#define SEED_2 "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c99" \
	       "9693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542"

static const struct slip10_table tables[] = {
	{ "vector 1 nist256p1", SIM_CURVE_NIST256P1, SEED_1, {
		{ "m", "00000000",
		  "beeb672fe4621673f722f38529c07392fecaa61015c80c34f29ce8b41b3cb6ea",
		  "612091aaa12e22dd2abef664f8a01a82cae99ad7441b7ef8110424915c268bc2",
		  "0266874dc6ade47b3ecd096745ca09bcd29638dd52c2c12117b11ed3e458cfa9e8" },
		{ "m/0H", "be6105b5",
		  "3460cea53e6a6bb5fb391eeef3237ffd8724bf0a40e94943c98b83825342ee11",
		  "6939694369114c67917a182c59ddb8cafc3004e63ca5d3b84403ba8613debc0c",
		  "0384610f5ecffe8fda089363a41f56a5c7ffc1d81b59a612d0d649b2d22355590c" },
		{ "m/0H/1", "9b02312f",
		  "4187afff1aafa8445010097fb99d23aee9f599450c7bd140b6826ac22ba21d0c",
		  "284e9d38d07d21e4e281b645089a94f4cf5a5a81369acf151a1c3a57f18b2129",
		  "03526c63f8d0b4bbbf9c80df553fe66742df4676b241dabefdef67733e070f6844" },
		{ "m/0H/1/2H", "b98005c1",
		  "98c7514f562e64e74170cc3cf304ee1ce54d6b6da4f880f313e8204c2a185318",
		  "694596e8a54f252c960eb771a3c41e7e32496d03b954aeb90f61635b8e092aa7",
		  "0359cf160040778a4b14c5f4d7b76e327ccc8c4a6086dd9451b7482b5a4972dda0" },
		{ "m/0H/1/2H/2", "0e9f3274",
		  "ba96f776a5c3907d7fd48bde5620ee374d4acfd540378476019eab70790c63a0",
		  "5996c37fd3dd2679039b23ed6f70b506c6b56b3cb5e424681fb0fa64caf82aaa",
		  "029f871f4cb9e1c97f9f4de9ccd0d4a2f2a171110c61178f84430062230833ff20" },
		{ "m/0H/1/2H/2/1000000000", "8b2b5c4b",
		  "b9b7b82d326bb9cb5b5b121066feea4eb93d5241103c9e7a18aad40f1dde8059",
		  "21c4f269ef0a5fd1badf47eeacebeeaa3de22eb8e5b0adcd0f27dd99d34d0119",
		  "02216cd26d31147f72427a453c443ed2cde8a1e53c9cc44e5ddf739725413fe3f4" },
	} },
	{ "vector 2 nist256p1", SIM_CURVE_NIST256P1, SEED_2, {
		{ "m", "00000000",
		  "96cd4465a9644e31528eda3592aa35eb39a9527769ce1855beafc1b81055e75d",
		  "eaa31c2e46ca2962227cf21d73a7ef0ce8b31c756897521eb6c7b39796633357",
		  "02c9e16154474b3ed5b38218bb0463e008f89ee03e62d22fdcc8014beab25b48fa" },
		{ "m/0", "607f628f",
		  "84e9c258bb8557a40e0d041115b376dd55eda99c0042ce29e81ebe4efed9b86a",
		  "d7d065f63a62624888500cdb4f88b6d59c2927fee9e6d0cdff9cad555884df6e",
		  "039b6df4bece7b6c81e2adfeea4bcf5c8c8a6e40ea7ffa3cf6e8494c61a1fc82cc" },
		{ "m/0/2147483647H", "946d2a54",
		  "f235b2bc5c04606ca9c30027a84f353acf4e4683edbd11f635d0dcc1cd106ea6",
		  "96d2ec9316746a75e7793684ed01e3d51194d81a42a3276858a5b7376d4b94b9",
		  "02f89c5deb1cae4fedc9905f98ae6cbf6cbab120d8cb85d5bd9a91a72f4c068c76" },
		{ "m/0/2147483647H/1", "218182d8",
		  "7c0b833106235e452eba79d2bdd58d4086e663bc8cc55e9773d2b5eeda313f3b",
		  "974f9096ea6873a915910e82b29d7c338542ccde39d2064d1cc228f371542bbc",
		  "03abe0ad54c97c1d654c1852dfdc32d6d3e487e75fa16f0fd6304b9ceae4220c64" },
		{ "m/0/2147483647H/1/2147483646H", "931223e4",
		  "5794e616eadaf33413aa309318a26ee0fd5163b70466de7a4512fd4b1a5c9e6a",
		  "da29649bbfaff095cd43819eda9a7be74236539a29094cd8336b07ed8d4eff63",
		  "03cb8cb067d248691808cd6b5a5a06b48e34ebac4d965cba33e6dc46fe13d9b933" },
		{ "m/0/2147483647H/1/2147483646H/2", "956c4629",
		  "3bfb29ee8ac4484f09db09c2079b520ea5616df7820f071a20320366fbe226a7",
		  "bb0a77ba01cc31d77205d51d08bd313b979a71ef4de9b062f8958297e746bd67",
		  "020ee02e18967237cf62672983b253ee62fa4dd431f8243bfeccdf39dbe181387f" },
	} },
	{ "derivation retry nist256p1", SIM_CURVE_NIST256P1, SEED_1, {
		{ "m", "00000000",
		  "beeb672fe4621673f722f38529c07392fecaa61015c80c34f29ce8b41b3cb6ea",
		  "612091aaa12e22dd2abef664f8a01a82cae99ad7441b7ef8110424915c268bc2",
		  "0266874dc6ade47b3ecd096745ca09bcd29638dd52c2c12117b11ed3e458cfa9e8" },
		{ "m/28578H", "be6105b5",
		  "e94c8ebe30c2250a14713212f6449b20f3329105ea15b652ca5bdfc68f6c65c2",
		  "06f0db126f023755d0b8d86d4591718a5210dd8d024e3e14b6159d63f53aa669",
		  "02519b5554a4872e8c9c1c847115363051ec43e93400e030ba3c36b52a3e70a5b7" },
		{ "m/28578H/33941", "3e2b7bc6",
		  "9e87fe95031f14736774cd82f25fd885065cb7c358c1edf813c72af535e83071",
		  "092154eed4af83e078ff9b84322015aefe5769e31270f62c3f66c33888335f3a",
		  "0235bfee614c0d5b2cae260000bb1d0d84b270099ad790022c1ae0b2e782efe120" },
	} },
	{ "seed retry nist256p1", SIM_CURVE_NIST256P1,
	  "a7305bc8df8d0951f0cb224c0e95d7707cbdf2c6ce7e8d481fec69c7ff5e9446", {
		{ "m", "00000000",
		  "7762f9729fed06121fd13f326884c82f59aa95c57ac492ce8c9654e60efd130c",
		  "3b8c18469a4634517d6d0b65448f8e6c62091b45540a1743c5846be55d47d88f",
		  "0383619fadcde31063d8c5cb00dbfe1713f3e6fa169d8541a798752a1c1ca0cb20" },
	} },
	{ "vector 1 secp256k1", SIM_CURVE_SECP256K1, SEED_1, {
		{ "m", "00000000",
		  "873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508",
		  "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35",
		  "0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2" },
		{ "m/0H", "3442193e",
		  "47fdacbd0f1097043b78c63c20c34ef4ed9a111d980047ad16282c7ae6236141",
		  "edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea",
		  "035a784662a4a20a65bf6aab9ae98a6c068a81c52e4b032c0fb5400c706cfccc56" },
		{ "m/0H/1", "5c1bd648",
		  "2a7857631386ba23dacac34180dd1983734e444fdbf774041578e9b6adb37c19",
		  "3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368",
		  "03501e454bf00751f24b1b489aa925215d66af2234e3891c3b21a52bedb3cd711c" },
		{ "m/0H/1/2H", "bef5a2f9",
		  "04466b9cc8e161e966409ca52986c584f07e9dc81f735db683c3ff6ec7b1503f",
		  "cbce0d719ecf7431d88e6a89fa1483e02e35092af60c042b1df2ff59fa424dca",
		  "0357bfe1e341d01c69fe5654309956cbea516822fba8a601743a012a7896ee8dc2" },
		{ "m/0H/1/2H/2", "ee7ab90c",
		  "cfb71883f01676f587d023cc53a35bc7f88f724b1f8c2892ac1275ac822a3edd",
		  "0f479245fb19a38a1954c5c7c0ebab2f9bdfd96a17563ef28a6a4b1a2a764ef4",
		  "02e8445082a72f29b75ca48748a914df60622a609cacfce8ed0e35804560741d29" },
		{ "m/0H/1/2H/2/1000000000", "d880d7d8",
		  "c783e67b921d2beb8f6b389cc646d7263b4145701dadd2161548a8b078e65e9e",
		  "471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8",
		  "022a471424da5e657499d1ff51cb43c47481a03b1e77f951fe64cec9f5a48f7011" },
	} },
	{ "vector 2 secp256k1", SIM_CURVE_SECP256K1, SEED_2, {
		{ "m", "00000000",
		  "60499f801b896d83179a4374aeb7822aaeaceaa0db1f85ee3e904c4defbd9689",
		  "4b03d6fc340455b363f51020ad3ecca4f0850280cf436c70c727923f6db46c3e",
		  "03cbcaa9c98c877a26977d00825c956a238e8dddfbd322cce4f74b0b5bd6ace4a7" },
		{ "m/0", "bd16bee5",
		  "f0909affaa7ee7abe5dd4e100598d4dc53cd709d5a5c2cac40e7412f232f7c9c",
		  "abe74a98f6c7eabee0428f53798f0ab8aa1bd37873999041703c742f15ac7e1e",
		  "02fc9e5af0ac8d9b3cecfe2a888e2117ba3d089d8585886c9c826b6b22a98d12ea" },
		{ "m/0/2147483647H", "5a61ff8e",
		  "be17a268474a6bb9c61e1d720cf6215e2a88c5406c4aee7b38547f585c9a37d9",
		  "877c779ad9687164e9c2f4f0f4ff0340814392330693ce95a58fe18fd52e6e93",
		  "03c01e7425647bdefa82b12d9bad5e3e6865bee0502694b94ca58b666abc0a5c3b" },
		{ "m/0/2147483647H/1", "d8ab4937",
		  "f366f48f1ea9f2d1d3fe958c95ca84ea18e4c4ddb9366c336c927eb246fb38cb",
		  "704addf544a06e5ee4bea37098463c23613da32020d604506da8c0518e1da4b7",
		  "03a7d1d856deb74c508e05031f9895dab54626251b3806e16b4bd12e781a7df5b9" },
		{ "m/0/2147483647H/1/2147483646H", "78412e3a",
		  "637807030d55d01f9a0cb3a7839515d796bd07706386a6eddf06cc29a65a0e29",
		  "f1c7c871a54a804afe328b4c83a1c33b8e5ff48f5087273f04efa83b247d6a2d",
		  "02d2b36900396c9282fa14628566582f206a5dd0bcc8d5e892611806cafb0301f0" },
		{ "m/0/2147483647H/1/2147483646H/2", "31a507b8",
		  "9452b549be8cea3ecb7a84bec10dcfd94afe4d129ebfd3b3cb58eedf394ed271",
		  "bb7d39bdb83ecf58f2fd82b6d918341cbef428661ef01ab97c28a4842125ac23",
		  "024d902e1a2fc7a8755ab5b694c575fce742c48d9ff192e63df5193e4c7afe1f9c" },
	} },
};

/* "m/0H/1" -> { 0x80000000, 1 } */
static size_t parse_path(const char *text, uint32_t *path, size_t max)
{
	size_t depth = 0;
	char *end;

	ck_assert(text[0] == 'm');
	for (text++; *text == '/'; text = end) {
		ck_assert_uint_lt(depth, max);
		path[depth] = (uint32_t)strtoul(text + 1, &end, 10);
		if (*end == 'H') {
			path[depth] |= 0x80000000u;
			end++;
		}
		depth++;
	}
	ck_assert(*text == '\0');
	return depth;
}

static void assert_hex(const unsigned char *bytes, size_t length, const char *hex)
{
	char actual[200];

	bytes_to_hex(bytes, length, actual);
	ck_assert_str_eq(actual, hex);
}

START_TEST(slip10_table)
{
	const struct slip10_table *table = &tables[_i];
	uint8_t seed[64];
	size_t seed_len = hex_to_bytes(table->seed, seed, sizeof(seed)), n;

	for (n = 0; n < 7 && table->nodes[n].path != NULL; n++) {
		const struct node_vector *want = &table->nodes[n];
		uint32_t path[8];
		size_t depth = parse_path(want->path, path, 8);
		struct sim_node node;
		char fingerprint[9];

		ck_assert_msg(sim_slip10_derive(table->curve, seed, seed_len, path, depth, &node),
			      "%s %s", table->name, want->path);
		snprintf(fingerprint, sizeof(fingerprint), "%08x", node.fingerprint);
		ck_assert_str_eq(fingerprint, want->fingerprint);
		assert_hex(node.chain_code, 32, want->chain);
		assert_hex(node.private_key, 32, want->private_key);
		assert_hex(node.public_key, 33, want->public_key);
		ck_assert_uint_eq(node.depth, depth);
	}
}
END_TEST

START_TEST(bip39_seed_all)
{
	uint8_t seed[SIM_SEED_SIZE];

	ck_assert(sim_bip39_seed("all all all all all all all all all all all all", "", seed));
	assert_hex(seed, 64, "c76c4ac4f4e4a00d6b274d5c39c700bb4a7ddc04fbc6f78e85ca75007b5b495f"
			     "74a9043eeb77bdd53aa6fc3a0e31462270316fa04b8c19114c8798706cd02ac8");
}
END_TEST

START_TEST(bip39_seed_alcohol)
{
	uint8_t seed[SIM_SEED_SIZE];

	ck_assert(sim_bip39_seed("alcohol woman abuse must during monitor noble actual mixed "
				 "trade anger aisle", "", seed));
	assert_hex(seed, 64, "1ebf38d0b1fc10ac12059141276c1b8b7a410ba43d04bbe9f3a371d884a30440"
			     "0b6a39fda34e5b282a3717663fb337954df3dadf802a4cba3d008d5e2988f70a");
}
END_TEST

START_TEST(bip39_passphrase_changes_seed)
{
	uint8_t plain[SIM_SEED_SIZE], with[SIM_SEED_SIZE];

	ck_assert(sim_bip39_seed("all all all all all all all all all all all all", "", plain));
	ck_assert(sim_bip39_seed("all all all all all all all all all all all all", "TREZOR", with));
	ck_assert_int_ne(memcmp(plain, with, sizeof(plain)), 0);
}
END_TEST

START_TEST(slip13_matches_spec_example)
{
	uint32_t path[5];
	static const uint32_t expected[5] = { 2147483661u, 2637750992u, 2845082444u, 3761103859u,
					      4005495825u };

	sim_slip13_path("https", "satoshi", "bitcoin.org", NULL, "/login", 0, path);
	ck_assert_mem_eq(path, expected, sizeof(path));
}
END_TEST

START_TEST(ecdsa_is_deterministic_low_s_and_valid)
{
	uint8_t key[32], digest[32], first[64], second[64], point[33], uncompressed[65];
	uint8_t half_order[32];
	int round;

	hex_to_bytes("7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8",
		     half_order, sizeof(half_order));
	hex_to_bytes("612091aaa12e22dd2abef664f8a01a82cae99ad7441b7ef8110424915c268bc2", key, 32);
	hex_to_bytes("0266874dc6ade47b3ecd096745ca09bcd29638dd52c2c12117b11ed3e458cfa9e8", point, 33);
	ck_assert(ec_p256_decompress(point, uncompressed));
	for (round = 0; round < 32; round++) {
		memset(digest, round * 8 + 1, sizeof(digest));
		ck_assert(sim_ecdsa_sign_digest(SIM_CURVE_NIST256P1, key, digest, first));
		ck_assert(sim_ecdsa_sign_digest(SIM_CURVE_NIST256P1, key, digest, second));
		ck_assert_mem_eq(first, second, 64);
		ck_assert(ec_p256_verify_digest(uncompressed, digest, first));
		/* s <= n/2, compared as big-endian numbers */
		ck_assert_int_le(memcmp(first + 32, half_order, 32), 0);
	}
}
END_TEST

START_TEST(ecdsa_refuses_zero_digest)
{
	uint8_t key[32] = { 1 }, digest[32] = { 0 }, signature[64];

	ck_assert(!sim_ecdsa_sign_digest(SIM_CURVE_NIST256P1, key, digest, signature));
}
END_TEST

START_TEST(signature_scalars_in_range)
{
	uint8_t scalar[32];

	memset(scalar, 0, sizeof(scalar));
	ck_assert(!ec_p256_scalar_in_range(scalar));                    /* 0 */
	scalar[31] = 1;
	ck_assert(ec_p256_scalar_in_range(scalar));                     /* 1 */
	hex_to_bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550",
		     scalar, sizeof(scalar));
	ck_assert(ec_p256_scalar_in_range(scalar));                     /* n - 1 */
	scalar[31] = 0x51;
	ck_assert(!ec_p256_scalar_in_range(scalar));                    /* n */
	memset(scalar, 0xff, sizeof(scalar));
	ck_assert(!ec_p256_scalar_in_range(scalar));                    /* 2^256 - 1 */
}
END_TEST

static Suite *crypto_suite(void)
{
	Suite *suite = suite_create("crypto");
	TCase *slip10 = tcase_create("slip10");
	TCase *bip39 = tcase_create("bip39");
	TCase *ecdsa = tcase_create("ecdsa");

	tcase_add_loop_test(slip10, slip10_table, 0, sizeof(tables) / sizeof(tables[0]));
	tcase_add_test(slip10, slip13_matches_spec_example);
	tcase_add_test(bip39, bip39_seed_all);
	tcase_add_test(bip39, bip39_seed_alcohol);
	tcase_add_test(bip39, bip39_passphrase_changes_seed);
	tcase_add_test(ecdsa, ecdsa_is_deterministic_low_s_and_valid);
	tcase_add_test(ecdsa, ecdsa_refuses_zero_digest);
	tcase_add_test(ecdsa, signature_scalars_in_range);
	suite_add_tcase(suite, slip10);
	suite_add_tcase(suite, bip39);
	suite_add_tcase(suite, ecdsa);
	return suite;
}

int main(void)
{
	return run_suite(crypto_suite());
}
