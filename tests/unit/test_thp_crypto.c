/*
 * THP's primitives (module/thp_crypto.c, module/elligator2.c) against
 * published vectors:
 *   X25519            RFC 7748 section 5.2 (both) and 6.1 (the exchange)
 *   AES-256-GCM       McGrew and Viega, "The Galois/Counter Mode of
 *                     Operation", test cases 13 and 14 (THP's first nonce is
 *                     their all-zero IV)
 *   HKDF              RFC 5869 test case 3 (Noise's HKDF is RFC 5869's with
 *                     the chaining key as salt and no info)
 *   CRC-32            the check value of "123456789"
 *   Elligator 2       RFC 9380 appendix J.4.2 (curve25519_XMD:SHA-512_ELL2_NU_:
 *                     u[0] -> Q.x, and P.x = 8 Q) and J.4.1's RO suite
 *                     (u[0] -> Q0.x, u[1] -> Q1.x); elligator.org's
 *                     curve25519_direct.vec, the vectors the firmware tests
 *                     its map with (core/tests/test_trezor.crypto.elligator2.py
 *                     and crypto/tests/test_check.c)
 *   CPace             draft-irtf-cfrg-cpace's G_X25519 vectors: the
 *                     generator string's generator (as trezorlib's
 *                     python/tests/test_cpace.py has it) and the scalar
 *                     multiplications with low-order points that must fail
 *                     (as core/tests/test_trezor.wire.thp.cpace.py has them)
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "elligator2.h"
#include "helpers.h"
#include "thp_crypto.h"

/* RFC 9380's field elements are big-endian; the map speaks little-endian. */
static void field_from_hex(const char *hex, uint8_t out[32])
{
	uint8_t big[32];
	int i;

	ck_assert_uint_eq(hex_to_bytes(hex, big, sizeof(big)), 32);
	for (i = 0; i < 32; i++)
		out[i] = big[31 - i];
}

static void assert_hex(const uint8_t *bytes, size_t length, const char *expected)
{
	char hex[2 * 128 + 1];

	ck_assert_uint_le(length, 128);
	bytes_to_hex(bytes, length, hex);
	ck_assert_str_eq(hex, expected);
}

/* ---- X25519 ------------------------------------------------------------------------ */

START_TEST(test_x25519_rfc7748)
{
	static const struct {
		const char *scalar, *u, *result;
	} vectors[] = {
		{ "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		  "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552" },
		{ "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		  "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		  "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957" },
	};
	uint8_t scalar[32], u[32], result[32];
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hex_to_bytes(vectors[i].scalar, scalar, 32);
		hex_to_bytes(vectors[i].u, u, 32);
		ck_assert(thp_x25519(scalar, u, result));
		assert_hex(result, 32, vectors[i].result);
	}
}
END_TEST

START_TEST(test_x25519_exchange)
{
	uint8_t alice[32], bob[32], alice_public[32], bob_public[32], one[32], other[32];

	hex_to_bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", alice, 32);
	hex_to_bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", bob, 32);
	ck_assert(thp_x25519_public(alice, alice_public));
	ck_assert(thp_x25519_public(bob, bob_public));
	assert_hex(alice_public, 32,
		   "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	assert_hex(bob_public, 32,
		   "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	ck_assert(thp_x25519(alice, bob_public, one));
	ck_assert(thp_x25519(bob, alice_public, other));
	assert_hex(one, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	ck_assert_mem_eq(one, other, 32);
	ck_assert(thp_x25519_generate(alice, alice_public));
	ck_assert(thp_x25519_public(alice, one));
	ck_assert_mem_eq(one, alice_public, 32);
}
END_TEST

/* ---- AES-GCM, HKDF, CRC ------------------------------------------------------------- */

START_TEST(test_aesgcm)
{
	uint8_t key[32] = { 0 }, zeros[16] = { 0 }, out[32], back[16];

	ck_assert(thp_aesgcm_encrypt(key, 0, NULL, 0, NULL, 0, out));
	assert_hex(out, 16, "530f8afbc74536b9a963b4f1c4cb738b");
	ck_assert(thp_aesgcm_decrypt(key, 0, NULL, 0, out, 16, back));
	ck_assert(thp_aesgcm_encrypt(key, 0, NULL, 0, zeros, 16, out));
	assert_hex(out, 32, "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
	ck_assert(thp_aesgcm_decrypt(key, 0, NULL, 0, out, 32, back));
	ck_assert_mem_eq(back, zeros, 16);
	/* Another nonce, a changed byte, other associated data: refused. */
	ck_assert(!thp_aesgcm_decrypt(key, 1, NULL, 0, out, 32, back));
	out[3] ^= 1;
	ck_assert(!thp_aesgcm_decrypt(key, 0, NULL, 0, out, 32, back));
	out[3] ^= 1;
	ck_assert(!thp_aesgcm_decrypt(key, 0, zeros, 1, out, 32, back));
	ck_assert(!thp_aesgcm_decrypt(key, 0, NULL, 0, out, 15, back));
}
END_TEST

START_TEST(test_aesgcm_nonce_is_big_endian)
{
	uint8_t key[32], one[17], other[17];
	const uint8_t plain = 0x42;

	memset(key, 7, sizeof(key));
	ck_assert(thp_aesgcm_encrypt(key, 0x0102030405060708u, NULL, 0, &plain, 1, one));
	ck_assert(thp_aesgcm_encrypt(key, 0x0807060504030201u, NULL, 0, &plain, 1, other));
	ck_assert(memcmp(one, other, sizeof(one)) != 0);
	ck_assert(!thp_aesgcm_decrypt(key, 0x0807060504030201u, NULL, 0, one, 17, other));
}
END_TEST

START_TEST(test_hkdf_rfc5869)
{
	uint8_t ikm[22], salt[32] = { 0 }, out1[32], out2[32], okm[64];

	memset(ikm, 0x0b, sizeof(ikm));
	thp_hkdf(salt, ikm, sizeof(ikm), out1, out2);
	memcpy(okm, out1, 32);
	memcpy(okm + 32, out2, 32);
	assert_hex(okm, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
			    "9d201395faa4b61a96c8");
}
END_TEST

START_TEST(test_crc32)
{
	ck_assert_uint_eq(thp_crc32(0, (const uint8_t *)"123456789", 9), 0xcbf43926u);
	/* In parts, as packets feed it. */
	ck_assert_uint_eq(thp_crc32(thp_crc32(0, (const uint8_t *)"1234", 4),
				    (const uint8_t *)"56789", 5), 0xcbf43926u);
	ck_assert_uint_eq(thp_crc32(0, NULL, 0), 0);
}
END_TEST

/* ---- Elligator 2 -------------------------------------------------------------------- */

/* RFC 9380 J.4.2, curve25519_XMD:SHA-512_ELL2_NU_: u[0], Q.x, P.x. */
static const struct {
	const char *u, *q, *p;
} rfc9380_nu[] = {
	{ "608d892b641f0328523802a6603427c26e55e6f27e71a91a478148d45b5093cd",
	  "51125222da5e763d97f3c10fcc92ea6860b9ccbbd2eb1285728f566721c1e65b",
	  "1bb913f0c9daefa0b3375378ffa534bda5526c97391952a7789eb976edfe4d08" },
	{ "46f5b22494bfeaa7f232cc8d054be68561af50230234d7d1d63d1d9abeca8da5",
	  "7d56d1e08cb0ccb92baf069c18c49bb5a0dcd927eff8dcf75ca921ef7f3e6eeb",
	  "7c22950b7d900fa866334262fcaea47a441a578df43b894b4625c9b450f9a026" },
	{ "235fe40c443766ce7e18111c33862d66c3b33267efa50d50f9e8e5d252a40aaa",
	  "3fbe66b9c9883d79e8407150e7c2a1c8680bee496c62fabe4619a72b3cabe90f",
	  "31ad08a8b0deeb2a4d8b0206ca25f567ab4e042746f792f4b7973f3ae2096c52" },
	{ "001e92a544463bda9bd04ddbe3d6eed248f82de32f522669efc5ddce95f46f5b",
	  "227e0bb89de700385d19ec40e857db6e6a3e634b1c32962f370d26f84ff19683",
	  "027877759d155b1997d0d84683a313eb78bdb493271d935b622900459d52ceaa" },
	{ "1a68a1af9f663592291af987203393f707305c7bac9c8d63d6a729bdc553dc19",
	  "3bcd651ee54d5f7b6013898aab251ee8ecc0688166fce6e9548d38472f6bd196",
	  NULL },
};

/* RFC 9380 J.4.1, curve25519_XMD:SHA-512_ELL2_RO_: each u[i] maps to Qi. */
static const char *const rfc9380_ro[][2] = {
	{ "005fe8a7b8fef0a16c105e6cadf5a6740b3365e18692a9c05bfbb4d97f645a6a",
	  "36b4df0c864c64707cbf6cf36e9ee2c09a6cb93b28313c169be29561bb904f98" },
	{ "1347edbec6a2b5d8c02e058819819bee177077c9d10a4ce165aab0fd0252261a",
	  "3fa114783a505c0b2b2fbeef0102853c0b494e7757f2a089d0daae7ed9a0db2b" },
	{ "49bed021c7a3748f09fa8cdfcac044089f7829d3531066ac9e74e0994e05bc7d",
	  "16b3d86e056b7970fa00165f6f48d90b619ad618791661b7b5e1ec78be10eac1" },
	{ "5c36525b663e63389d886105cee7ed712325d5a97e60e140aba7e2ce5ae851b6",
	  "7ec29ddbf34539c40adfa98fcb39ec36368f47f30e8f888cc7e86f4d46e0c264" },
	{ "6412b7485ba26d3d1b6c290a8e1435b2959f03721874939b21782df17323d160",
	  "71de3dadfe268872326c35ac512164850860567aea0e7325e6b91a98f86533ad" },
	{ "24c7b46c1c6d9a21d32f5707be1380ab82db1054fde82865d5c9e3d968f287b2",
	  "5704069021f61e41779e2ba6b932268316d6d2a6f064f997a22fef16d1eaeaca" },
	{ "5e123990f11bbb5586613ffabdb58d47f64bb5f2fa115f8ea8df0188e0c9e1b5",
	  "7a94d45a198fb5daa381f45f2619ab279744efdd8bd8ed587fc5b65d6cea1df0" },
	{ "5e8553eb00438a0bb1e7faa59dec6d8087f9c8011e5fb8ed9df31cb6c0d4ac19",
	  "30506fb7a32136694abd61b6113770270debe593027a968a01f271e146e60c18" },
	{ "20f481e85da7a3bf60ac0fb11ed1d0558fc6f941b3ac5469aa8b56ec883d6d7d",
	  "02d606e2699b918ee36f2818f2bc5013e437e673c9f9b9cdc15fd0c5ee913970" },
	{ "017d57fd257e9a78913999a23b52ca988157a81b09c5442501d07fed20869465",
	  "38920e9b988d1ab7449c0fa9a6058192c0c797bb3d42ac345724341a1aa98745" },
};

START_TEST(test_elligator2_rfc9380)
{
	uint8_t u[32], expected[32], out[32], eight[32];
	size_t i;

	for (i = 0; i < sizeof(rfc9380_nu) / sizeof(rfc9380_nu[0]); i++) {
		field_from_hex(rfc9380_nu[i].u, u);
		field_from_hex(rfc9380_nu[i].q, expected);
		elligator2_map(u, out);
		ck_assert_msg(memcmp(out, expected, 32) == 0, "NU vector %zu", i);
		if (rfc9380_nu[i].p == NULL)
			continue;
		/* The suite's P is Q with its cofactor cleared: a check of the check. */
		field_from_hex(rfc9380_nu[i].p, expected);
		elligator2_times_eight(out, eight);
		ck_assert_msg(memcmp(eight, expected, 32) == 0, "NU vector %zu, P", i);
	}
	for (i = 0; i < sizeof(rfc9380_ro) / sizeof(rfc9380_ro[0]); i++) {
		field_from_hex(rfc9380_ro[i][0], u);
		field_from_hex(rfc9380_ro[i][1], expected);
		elligator2_map(u, out);
		ck_assert_msg(memcmp(out, expected, 32) == 0, "RO vector %zu", i);
	}
}
END_TEST

/* elligator.org's curve25519_direct.vec (little-endian bytes, as THP uses them). */
static const char *const elligator_org[][2] = {
	{ "0000000000000000000000000000000000000000000000000000000000000000",
	  "0000000000000000000000000000000000000000000000000000000000000000" },
	{ "66665895c5bc6e44ba8d65fd9307092e3244bf2c18877832bd568cb3a2d38a12",
	  "04d44290d13100b2c25290c9343d70c12ed4813487a07ac1176daa5925e7975e" },
	{ "673a505e107189ee54ca93310ac42e4545e9e59050aaac6f8b5f64295c8ec02f",
	  "242ae39ef158ed60f20b89396d7d7eef5374aba15dc312a6aea6d1e57cacf85e" },
	{ "990b30e04e1c3620b4162b91a33429bddb9f1b70f1da6e5f76385ed3f98ab131",
	  "998e98021eb4ee653effaa992f3fae4b834de777a953271baaa1fa3fef6b776e" },
	{ "341a60725b482dd0de2e25a585b208433044bc0a1ba762442df3a0e888ca063c",
	  "683a71d7fca4fc6ad3d4690108be808c2e50a5af3174486741d0a83af52aeb01" },
	{ "922688fa428d42bc1fa8806998fbc5959ae801817e85a42a45e8ec25a0d7541a",
	  "696f341266c64bcfa7afa834f8c34b2730be11c932e08474d1a22f26ed82410b" },
	{ "0d3b0eb88b74ed13d5f6a130e03c4ad607817057dc227152827c0506a538bb3a",
	  "0b00df174d9fb0b6ee584d2cf05613130bad18875268c38b377e86dfefef177f" },
	{ "01a3ea5658f4e00622eeacf724e0bd82068992fae66ed2b04a8599be16662e35",
	  "7ae4c58bc647b5646c9f5ae4c2554ccbf7c6e428e7b242a574a5a9c293c21f7e" },
	{ "1d991dff82a84afe97874c0f03a60a56616a15212fbe10d6c099aa3afcfabe35",
	  "f81f235696f81df90ac2fc861ceee517bff611a394b5be5faaee45584642fb0a" },
	{ "185435d2b005a3b63f3187e64a1ef3582533e1958d30e4e4747b4d1d3376c728",
	  "f938b1b320abb0635930bd5d7ced45ae97fa8b5f71cc21d87b4c60905c125d34" },
	{ "b98d026c2a247fd113596f4317d8ff9f89f172c4be46320a5e82f579b953b633",
	  "19f98122afbd38dd5b97afc07fe89c00d9d45834a25ae851e527e34a5e763c07" },
	{ "69599ab5a829c3e9515128d368da7354a8b69fcee4e34d0a668b783b6cae550f",
	  "09024abaaef243e3b69366397e8dfc1fdc14a0ecc7cf497cbe4f328839acce69" },
	{ "409f76202dcc3280d14a9bc87b5f474349bbb6325e92733e0feee571a7f2462a",
	  "16235355f04bef29019ec6903788b9ee56214d1fdb60ddcc9f9bdc2816a3b132" },
	{ "9172922f96d2fa41ea0daf961857056f1656ab8406db80eaeae76af58f8c9f10",
	  "beab745a2a4b4e7f1a7335c3ffcdbd85139f3a72b667a01ee3e3ae0e530b3372" },
	{ "6850a20ac5b6d2fa7af7042ad5be234d3311b9fb303753dd2b610bd566983201",
	  "1287388eb2beeff706edb9cf4fcfdd35757f22541b61528570b86e8915be1530" },
	{ "84417826c0e80af7cb25a73af1ba87594ff7048a26248b5757e52f2824e06831",
	  "51acd2e8910e7d28b4993db7e97e2b995005f26736f60dcdde94bdf8cb542251" },
};

START_TEST(test_elligator2_direct)
{
	uint8_t input[32], out[32];
	char hex[65];
	size_t i;

	for (i = 0; i < sizeof(elligator_org) / sizeof(elligator_org[0]); i++) {
		hex_to_bytes(elligator_org[i][0], input, 32);
		elligator2_map(input, out);
		bytes_to_hex(out, 32, hex);
		ck_assert_msg(strcmp(hex, elligator_org[i][1]) == 0, "vector %zu: %s", i, hex);
		/* Bit 255 is not part of the number. */
		input[31] |= 0x80;
		elligator2_map(input, out);
		bytes_to_hex(out, 32, hex);
		ck_assert_str_eq(hex, elligator_org[i][1]);
	}
}
END_TEST

/* A number at or above p is taken modulo p: 2^255 - 1 is 18, p is 0. */
START_TEST(test_elligator2_unreduced)
{
	uint8_t high[32], small[32] = { 18 }, p[32], zero[32] = { 0 }, one[32], other[32];

	memset(high, 0xff, sizeof(high));
	elligator2_map(high, one);
	elligator2_map(small, other);
	ck_assert_mem_eq(one, other, 32);
	memset(p, 0xff, sizeof(p));
	p[0] = 0xed;
	p[31] = 0x7f;
	elligator2_map(p, one);
	elligator2_map(zero, other);
	ck_assert_mem_eq(one, other, 32);
}
END_TEST

/* ---- CPace --------------------------------------------------------------------------- */

START_TEST(test_cpace_generator)
{
	static const uint8_t ci[] = "oc\x0b" "B_responder\x0b" "A_initiator";
	static const uint8_t too_long[128];
	uint8_t sid[16], generator[32];

	hex_to_bytes("7e4b4791d6a8ef019b936c79fb7f2c57", sid, sizeof(sid));
	ck_assert(thp_cpace_generator((const uint8_t *)"Password", 8, ci, sizeof(ci) - 1, sid,
				      sizeof(sid), generator));
	assert_hex(generator, 32,
		   "64e8099e3ea682cfdc5cb665c057ebb514d06bf23ebc9f743b51b82242327074");
	ck_assert(!thp_cpace_generator(too_long, sizeof(too_long), ci, sizeof(ci) - 1, NULL, 0,
				       generator));
}
END_TEST

START_TEST(test_cpace_low_order_points)
{
	static const char *const refused[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"0100000000000000000000000000000000000000000000000000000000000080",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	};
	static const char *const accepted[][2] = {
		{ "daffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		  "d8e2c776bbacd510d09fd9278b7edcd25fc5ae9adfba3b6e040e8d3b71b21806" },
		{ "dbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		  "c85c655ebe8be44ba9c0ffde69f2fe10194458d137f09bbff725ce58803cdb38" },
		{ "d9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		  "db64dafa9b8fdd136914e61461935fe92aa372cb056314e1231bc4ec12417456" },
		{ "cdeb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
		  "e062dcd5376d58297be2618c7498f55baa07d7e03184e8aada20bca28888bf7a" },
		{ "4c9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7",
		  "993c6ad11c4c29da9a56f7691fd0ff8d732e49de6250b6c2e80003ff4629a175" },
	};
	uint8_t scalar[32], point[32], out[32];
	size_t i;

	hex_to_bytes("af46e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449aff", scalar, 32);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		hex_to_bytes(refused[i], point, 32);
		ck_assert_msg(!thp_x25519(scalar, point, out), "low-order point %zu accepted", i);
		ck_assert_mem_eq(out, (uint8_t[32]){ 0 }, 32);
	}
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		hex_to_bytes(accepted[i][0], point, 32);
		ck_assert(thp_x25519(scalar, point, out));
		assert_hex(out, 32, accepted[i][1]);
	}
}
END_TEST

static Suite *thp_crypto_suite(void)
{
	Suite *suite = suite_create("thp_crypto");
	TCase *tc = tcase_create("vectors");

	tcase_add_test(tc, test_x25519_rfc7748);
	tcase_add_test(tc, test_x25519_exchange);
	tcase_add_test(tc, test_aesgcm);
	tcase_add_test(tc, test_aesgcm_nonce_is_big_endian);
	tcase_add_test(tc, test_hkdf_rfc5869);
	tcase_add_test(tc, test_crc32);
	tcase_add_test(tc, test_elligator2_rfc9380);
	tcase_add_test(tc, test_elligator2_direct);
	tcase_add_test(tc, test_elligator2_unreduced);
	tcase_add_test(tc, test_cpace_generator);
	tcase_add_test(tc, test_cpace_low_order_points);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(thp_crypto_suite());
}
