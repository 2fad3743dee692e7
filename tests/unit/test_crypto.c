/*
 * The simulator's key derivation and signing against published vectors:
 * SLIP-0010 (every nist256p1, secp256k1 and ed25519 table, both retry
 * vectors), BIP-39 seeds, deterministic low-S ECDSA with its recovery id,
 * Ed25519 (RFC 8032 and the firmware's SignIdentity vector), and the Bitcoin
 * encodings (Base58Check, P2PKH, the signed-message digest).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec.h"
#include "helpers.h"
#include "sim_bitcoin.h"
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
	/* SLIP-0010 "Test vector 1 for ed25519": hardened children only. */
	{ "vector 1 ed25519", SIM_CURVE_ED25519, SEED_1, {
		{ "m", "00000000",
		  "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb",
		  "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7",
		  "00a4b2856bfec510abab89753fac1ac0e1112364e7d250545963f135f2a33188ed" },
		{ "m/0H", "ddebc675",
		  "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69",
		  "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
		  "008c8a13df77a28f3445213a0f432fde644acaa215fc72dcdf300d5efaa85d350c" },
		{ "m/0H/1H", "13dab143",
		  "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14",
		  "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
		  "001932a5270f335bed617d5b935c80aedb1a35bd9fc1e31acafd5372c30f5c1187" },
		{ "m/0H/1H/2H", "ebe4cb29",
		  "2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c",
		  "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9",
		  "00ae98736566d30ed0e9d2f4486a64bc95740d89c7db33f52121f8ea8f76ff0fc1" },
		{ "m/0H/1H/2H/2H", "316ec1c6",
		  "8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc",
		  "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662",
		  "008abae2d66361c879b900d204ad2cc4984fa2aa344dd7ddc46007329ac76c429c" },
		{ "m/0H/1H/2H/2H/1000000000H", "d6322ccd",
		  "68789923a0cac2cd5a29172a475fe9e0fb14cd6adb5ad98a3fa70333e7afa230",
		  "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793",
		  "003c24da049451555d51a7014a37337aa4e12d41e485abccfa46b47dfb2af54b7a" },
	} },
	/* SLIP-0010 "Test vector 2 for ed25519". */
	{ "vector 2 ed25519", SIM_CURVE_ED25519, SEED_2, {
		{ "m", "00000000",
		  "ef70a74db9c3a5af931b5fe73ed8e1a53464133654fd55e7a66f8570b8e33c3b",
		  "171cb88b1b3c1db25add599712e36245d75bc65a1a5c9e18d76f9f2b1eab4012",
		  "008fe9693f8fa62a4305a140b9764c5ee01e455963744fe18204b4fb948249308a" },
		{ "m/0H", "31981b50",
		  "0b78a3226f915c082bf118f83618a618ab6dec793752624cbeb622acb562862d",
		  "1559eb2bbec5790b0c65d8693e4d0875b1747f4970ae8b650486ed7470845635",
		  "0086fab68dcb57aa196c77c5f264f215a112c22a912c10d123b0d03c3c28ef1037" },
		{ "m/0H/2147483647H", "1e9411b1",
		  "138f0b2551bcafeca6ff2aa88ba8ed0ed8de070841f0c4ef0165df8181eaad7f",
		  "ea4f5bfe8694d8bb74b7b59404632fd5968b774ed545e810de9c32a4fb4192f4",
		  "005ba3b9ac6e90e83effcd25ac4e58a1365a9e35a3d3ae5eb07b9e4d90bcf7506d" },
		{ "m/0H/2147483647H/1H", "fcadf38c",
		  "73bd9fff1cfbde33a1b846c27085f711c0fe2d66fd32e139d3ebc28e5a4a6b90",
		  "3757c7577170179c7868353ada796c839135b3d30554bbb74a4b1e4a5a58505c",
		  "002e66aa57069c86cc18249aecf5cb5a9cebbfd6fadeab056254763874a9352b45" },
		{ "m/0H/2147483647H/1H/2147483646H", "aca70953",
		  "0902fe8a29f9140480a00ef244bd183e8a13288e4412d8389d140aac1794825a",
		  "5837736c89570de861ebc173b1086da4f505d4adb387c6a1b1342d5e4ac9ec72",
		  "00e33c0f7d81d843c572275f287498e8d408654fdf0d1e065b84e2e6f157aab09b" },
		{ "m/0H/2147483647H/1H/2147483646H/2H", "422c654b",
		  "5d70af781f3a37b829f0d060924d5e960bdc02e85423494afc0b1a41bbe196d4",
		  "551d333177df541ad876a60ea71f00447931c0a9da16f227c11ea080d7391b8d",
		  "0047150c75db263559a70d5778bf36abbab30fb061ad69f69ece61a72b0cfa4fc0" },
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

/* SLIP-0010 defines no non-hardened ed25519 child; the firmware refuses it. */
START_TEST(slip10_ed25519_refuses_normal_child)
{
	uint8_t seed[16];
	uint32_t path[2] = { 0x80000000u, 1 };
	struct sim_node node;

	hex_to_bytes(SEED_1, seed, sizeof(seed));
	ck_assert(sim_slip10_derive(SIM_CURVE_ED25519, seed, sizeof(seed), path, 1, &node));
	ck_assert(!sim_slip10_derive(SIM_CURVE_ED25519, seed, sizeof(seed), path, 2, &node));
	ck_assert(!sim_slip10_derive(SIM_CURVE_ED25519, seed, sizeof(seed), path + 1, 1, &node));
}
END_TEST

/* RFC 8032 section 7.1, TEST 1 and TEST 2. */
START_TEST(ed25519_rfc8032)
{
	uint8_t key[32], public_key[33], signature[64], message[1] = { 0x72 };

	hex_to_bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", key, 32);
	ck_assert(sim_public_key(SIM_CURVE_ED25519, key, public_key));
	assert_hex(public_key, 33,
		   "00d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
	ck_assert(sim_ed25519_sign(key, NULL, 0, signature));
	assert_hex(signature, 64,
		   "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
		   "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
	hex_to_bytes("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", key, 32);
	ck_assert(sim_ed25519_sign(key, message, sizeof(message), signature));
	assert_hex(signature, 64,
		   "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
		   "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
}
END_TEST

/*
 * HACKING 5.6: the firmware's ed25519 SignIdentity of
 * ssh://satoshi@bitcoin.org, index 47, seed "alcohol woman ...".
 */
START_TEST(ed25519_firmware_identity_vector)
{
	uint8_t seed[SIM_SEED_SIZE], challenge[32], signature[64];
	uint32_t path[5];
	struct sim_node node;

	ck_assert(sim_bip39_seed("alcohol woman abuse must during monitor noble actual mixed "
				 "trade anger aisle", "", seed));
	sim_slip13_path("ssh", "satoshi", "bitcoin.org", NULL, NULL, 47, path);
	ck_assert(sim_slip10_derive(SIM_CURVE_ED25519, seed, sizeof(seed), path, 5, &node));
	assert_hex(node.public_key, 33,
		   "000fac2a491e0f5b871dc48288a4cae551bac5cb0ed19df0764d6e721ec5fade18");
	hex_to_bytes("cd8552569d6e4509266ef137584d1e62c7579b5b8ed69bbafa4b864c6521e7c2",
		     challenge, sizeof(challenge));
	ck_assert(sim_ed25519_sign(node.private_key, challenge, sizeof(challenge), signature));
	assert_hex(signature, 64,
		   "f05e5085e666429de397c70a081932654369619c0bd2a6579ea6c1ef2af112ef"
		   "79998d6c862a16b932d44b1ac1b83c8cbcd0fbda228274fde9e0d0ca6e9cb709");
}
END_TEST

/* The recovery id names the signer: recovering with it gives the public key back. */
START_TEST(ecdsa_recovery_id_recovers_key)
{
	static const enum sim_curve curves[] = { SIM_CURVE_SECP256K1, SIM_CURVE_NIST256P1 };
	uint8_t key[32], public_key[33], recovered[33], digest[32], signature[64];
	int round, recovery, seen[2] = { 0, 0 };
	size_t c;

	for (c = 0; c < 2; c++) {
		for (round = 0; round < 16; round++) {
			memset(key, 0x11 * (round + 1), sizeof(key));
			memset(digest, round + 7, sizeof(digest));
			ck_assert(sim_public_key(curves[c], key, public_key));
			ck_assert(sim_ecdsa_sign_recoverable(curves[c], key, digest, signature,
							     &recovery));
			ck_assert_int_ge(recovery, 0);
			ck_assert_int_le(recovery, 3);
			seen[recovery & 1]++;
			ck_assert(ecdsa_recover(curves[c] == SIM_CURVE_NIST256P1, digest, signature,
						recovery, recovered));
			ck_assert_mem_eq(recovered, public_key, 33);
		}
	}
	/* Both parities came up, so the flip with low-S was exercised. */
	ck_assert_int_gt(seen[0], 0);
	ck_assert_int_gt(seen[1], 0);
}
END_TEST

/* m/44'/0'/0'/0/0 of "all" x 12, computed independently (Python, BIP-32 text). */
START_TEST(p2pkh_address_all_seed)
{
	static const uint32_t path[5] = { 0x8000002cu, 0x80000000u, 0x80000000u, 0, 0 };
	uint8_t seed[SIM_SEED_SIZE];
	struct sim_node node;
	char address[SIM_ADDRESS_MAX];

	ck_assert(sim_bip39_seed("all all all all all all all all all all all all", "", seed));
	ck_assert(sim_slip10_derive(SIM_CURVE_SECP256K1, seed, sizeof(seed), path, 5, &node));
	ck_assert(sim_p2pkh_address(0x00, node.public_key, address, sizeof(address)));
	ck_assert_str_eq(address, "1JAd7XCBzGudGpJQSDSfpmJhiygtLQWaGL");
	ck_assert(!sim_p2pkh_address(0x00, node.public_key, address, 34));     /* no room */
}
END_TEST

START_TEST(base58check_leading_zeros)
{
	static const uint8_t zeros[3] = { 0, 0, 1 };
	char text[16];

	/* Each leading zero byte is a '1'; the 4 check bytes follow. */
	ck_assert(sim_base58check(zeros, sizeof(zeros), text, sizeof(text)));
	ck_assert_int_eq(strncmp(text, "11", 2), 0);
	ck_assert_int_ne(text[2], '1');
}
END_TEST

/* SHA-256d of "\x18Bitcoin Signed Message:\n" || length || message (Python). */
START_TEST(bitcoin_message_digest)
{
	uint8_t digest[32], message[64];
	int i;

	sim_message_digest((const uint8_t *)"hello", 5, digest);
	assert_hex(digest, 32, "cf0447ec85f0ce7150a257db32ebfcb7523dae17c36dbd1be598779fec0484f4");
	for (i = 0; i < 64; i++)
		message[i] = (uint8_t)i;
	sim_message_digest(message, sizeof(message), digest);
	assert_hex(digest, 32, "05463280f69cb58e48a32abcc947e98a6bca0647ec2af603b31e2df8e0f42a9a");
}
END_TEST

/* The firmware's coin_path_check for the patterns the simulator knows. */
START_TEST(coin_path_check)
{
	const struct sim_coin *bitcoin = sim_coin_by_name(NULL);
	const struct sim_coin *testnet = sim_coin_by_name("Testnet");
	uint32_t path[5] = { 0x8000002cu, 0x80000000u, 0x80000000u, 0, 0 };

	ck_assert_ptr_eq(sim_coin_by_name("Bitcoin"), bitcoin);
	ck_assert_ptr_null(sim_coin_by_name("Litecoin"));
	ck_assert(sim_coin_path_matches(bitcoin, 0, path, 5, true));
	ck_assert(!sim_coin_path_matches(testnet, 0, path, 5, false));  /* coin type 0' */
	ck_assert(!sim_coin_path_matches(bitcoin, 3, path, 5, true));   /* SegWit on 44' */
	ck_assert(sim_coin_path_matches(bitcoin, 3, path, 5, false));
	path[3] = 2;                                                    /* change 2 */
	ck_assert(!sim_coin_path_matches(bitcoin, 0, path, 5, false));
	path[3] = 1;
	path[2] = 0x80000000u | 101;                                   /* account 101 */
	ck_assert(!sim_coin_path_matches(bitcoin, 0, path, 5, false));
	path[2] = 0x80000000u;
	path[1] = 0x80000001u;
	ck_assert(sim_coin_path_matches(testnet, 0, path, 5, true));
	ck_assert(!sim_coin_path_matches(testnet, 0, path, 4, false));   /* too short */
	path[0] = 0x80000054u;                                          /* 84' */
	ck_assert(sim_coin_path_matches(testnet, 3, path, 5, true));
	path[0] = 0x8000000du;                                          /* 13': SLIP-0013 */
	ck_assert(!sim_coin_path_matches(testnet, 0, path, 5, false));
}
END_TEST

static Suite *crypto_suite(void)
{
	Suite *suite = suite_create("crypto");
	TCase *slip10 = tcase_create("slip10");
	TCase *bip39 = tcase_create("bip39");
	TCase *ecdsa = tcase_create("ecdsa");
	TCase *ed25519 = tcase_create("ed25519");
	TCase *bitcoin = tcase_create("bitcoin");

	tcase_add_loop_test(slip10, slip10_table, 0, sizeof(tables) / sizeof(tables[0]));
	tcase_add_test(slip10, slip13_matches_spec_example);
	tcase_add_test(slip10, slip10_ed25519_refuses_normal_child);
	tcase_add_test(bip39, bip39_seed_all);
	tcase_add_test(bip39, bip39_seed_alcohol);
	tcase_add_test(bip39, bip39_passphrase_changes_seed);
	tcase_add_test(ecdsa, ecdsa_is_deterministic_low_s_and_valid);
	tcase_add_test(ecdsa, ecdsa_refuses_zero_digest);
	tcase_add_test(ecdsa, signature_scalars_in_range);
	tcase_add_test(ecdsa, ecdsa_recovery_id_recovers_key);
	tcase_add_test(ed25519, ed25519_rfc8032);
	tcase_add_test(ed25519, ed25519_firmware_identity_vector);
	tcase_add_test(bitcoin, p2pkh_address_all_seed);
	tcase_add_test(bitcoin, base58check_leading_zeros);
	tcase_add_test(bitcoin, bitcoin_message_digest);
	tcase_add_test(bitcoin, coin_path_check);
	suite_add_tcase(suite, slip10);
	suite_add_tcase(suite, bip39);
	suite_add_tcase(suite, ecdsa);
	suite_add_tcase(suite, ed25519);
	suite_add_tcase(suite, bitcoin);
	return suite;
}

int main(void)
{
	return run_suite(crypto_suite());
}
