/*
 * Elligator 2 onto Curve25519, with arithmetic modulo p = 2^255 - 19 in
 * five limbs of 51 bits. Every operation runs the same steps whatever the
 * values: no branch and no table index depends on them. See elligator2.h.
 */
#include "config.h"

#include "elligator2.h"

#include <string.h>

#include <openssl/crypto.h>

typedef unsigned __int128 wide;

#define MASK51 ((UINT64_C(1) << 51) - 1)

/* A field element; limbs may exceed 51 bits a little between operations. */
struct fe {
	uint64_t v[5];
};

/* p - 2 and (p - 1) / 2, little-endian: exponents for inversion and squareness. */
static const uint8_t p_minus_2[32] = {
	0xeb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0x7f,
};
static const uint8_t half_p_minus_1[32] = {
	0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0x3f,
};

static uint64_t load64(const uint8_t *in)
{
	uint64_t value = 0;
	int i;

	for (i = 7; i >= 0; i--)
		value = value << 8 | in[i];
	return value;
}

static void fe_set(struct fe *out, uint64_t small)
{
	memset(out, 0, sizeof(*out));
	out->v[0] = small;
}

/* Little-endian bytes, bit 255 ignored; a value of p or more is fine (not reduced). */
static void fe_from_bytes(struct fe *out, const uint8_t in[32])
{
	out->v[0] = load64(in) & MASK51;
	out->v[1] = (load64(in + 6) >> 3) & MASK51;
	out->v[2] = (load64(in + 12) >> 6) & MASK51;
	out->v[3] = (load64(in + 19) >> 1) & MASK51;
	out->v[4] = (load64(in + 24) >> 12) & MASK51;
}

/* Bring every limb under 2^51 (plus a tiny excess in limb 0). */
static void fe_carry(struct fe *f)
{
	uint64_t c;
	int i;

	for (i = 0; i < 4; i++) {
		c = f->v[i] >> 51;
		f->v[i] &= MASK51;
		f->v[i + 1] += c;
	}
	c = f->v[4] >> 51;
	f->v[4] &= MASK51;
	f->v[0] += 19 * c;              /* 2^255 = 19 modulo p */
	c = f->v[0] >> 51;
	f->v[0] &= MASK51;
	f->v[1] += c;
}

static void fe_add(struct fe *out, const struct fe *a, const struct fe *b)
{
	int i;

	for (i = 0; i < 5; i++)
		out->v[i] = a->v[i] + b->v[i];
	fe_carry(out);
}

/* a - b, computed as a + 2p - b so that no limb goes below zero. */
static void fe_sub(struct fe *out, const struct fe *a, const struct fe *b)
{
	out->v[0] = a->v[0] + 0xFFFFFFFFFFFDAu - b->v[0];
	out->v[1] = a->v[1] + 0xFFFFFFFFFFFFEu - b->v[1];
	out->v[2] = a->v[2] + 0xFFFFFFFFFFFFEu - b->v[2];
	out->v[3] = a->v[3] + 0xFFFFFFFFFFFFEu - b->v[3];
	out->v[4] = a->v[4] + 0xFFFFFFFFFFFFEu - b->v[4];
	fe_carry(out);
}

static void fe_mul(struct fe *out, const struct fe *a, const struct fe *b)
{
	const uint64_t *x = a->v, *y = b->v;
	uint64_t y19[5];
	wide r[5];
	uint64_t c;
	int i;

	for (i = 1; i < 5; i++)
		y19[i] = 19 * y[i];
	r[0] = (wide)x[0] * y[0] + (wide)x[1] * y19[4] + (wide)x[2] * y19[3] +
	       (wide)x[3] * y19[2] + (wide)x[4] * y19[1];
	r[1] = (wide)x[0] * y[1] + (wide)x[1] * y[0] + (wide)x[2] * y19[4] +
	       (wide)x[3] * y19[3] + (wide)x[4] * y19[2];
	r[2] = (wide)x[0] * y[2] + (wide)x[1] * y[1] + (wide)x[2] * y[0] +
	       (wide)x[3] * y19[4] + (wide)x[4] * y19[3];
	r[3] = (wide)x[0] * y[3] + (wide)x[1] * y[2] + (wide)x[2] * y[1] +
	       (wide)x[3] * y[0] + (wide)x[4] * y19[4];
	r[4] = (wide)x[0] * y[4] + (wide)x[1] * y[3] + (wide)x[2] * y[2] +
	       (wide)x[3] * y[1] + (wide)x[4] * y[0];
	for (i = 0; i < 4; i++) {
		r[i + 1] += (uint64_t)(r[i] >> 51);
		out->v[i] = (uint64_t)r[i] & MASK51;
	}
	c = (uint64_t)(r[4] >> 51);
	out->v[4] = (uint64_t)r[4] & MASK51;
	out->v[0] += 19 * c;
	fe_carry(out);
}

static void fe_square(struct fe *out, const struct fe *a)
{
	fe_mul(out, a, a);
}

/* a^e for a public exponent e (little-endian bytes). */
static void fe_pow(struct fe *out, const struct fe *a, const uint8_t exponent[32])
{
	struct fe result, base = *a;
	int bit;

	fe_set(&result, 1);
	for (bit = 254; bit >= 0; bit--) {
		fe_square(&result, &result);
		if (exponent[bit / 8] >> (bit % 8) & 1)
			fe_mul(&result, &result, &base);
	}
	*out = result;
	OPENSSL_cleanse(&result, sizeof(result));
	OPENSSL_cleanse(&base, sizeof(base));
}

/* The canonical little-endian encoding (fully reduced below p). */
static void fe_to_bytes(uint8_t out[32], const struct fe *a)
{
	struct fe f = *a;
	uint64_t q, packed[4];
	int i, j;

	fe_carry(&f);
	fe_carry(&f);
	/* q = 1 exactly when f >= p: adding 19 then carries out of bit 255. */
	q = (f.v[0] + 19) >> 51;
	for (i = 1; i < 5; i++)
		q = (f.v[i] + q) >> 51;
	f.v[0] += 19 * q;
	for (i = 0; i < 4; i++) {
		f.v[i + 1] += f.v[i] >> 51;
		f.v[i] &= MASK51;
	}
	f.v[4] &= MASK51;
	packed[0] = f.v[0] | f.v[1] << 51;
	packed[1] = f.v[1] >> 13 | f.v[2] << 38;
	packed[2] = f.v[2] >> 26 | f.v[3] << 25;
	packed[3] = f.v[3] >> 39 | f.v[4] << 12;
	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
			out[8 * i + j] = (uint8_t)(packed[i] >> (8 * j));
	OPENSSL_cleanse(&f, sizeof(f));
}

/* 1 if a equals the small number n (as elements of the field), else 0. */
static uint64_t fe_equals_small(const struct fe *a, uint8_t n)
{
	uint8_t bytes[32], difference = 0;
	int i;

	fe_to_bytes(bytes, a);
	difference = bytes[0] ^ n;
	for (i = 1; i < 32; i++)
		difference |= bytes[i];
	OPENSSL_cleanse(bytes, sizeof(bytes));
	return (uint64_t)((difference - 1u) >> 8 & 1u);
}

/* out = b when flag is 1, a when it is 0. */
static void fe_select(struct fe *out, const struct fe *a, const struct fe *b, uint64_t flag)
{
	uint64_t mask = 0u - flag;
	int i;

	for (i = 0; i < 5; i++)
		out->v[i] = a->v[i] ^ (mask & (a->v[i] ^ b->v[i]));
}

/* 1 when a is a square (zero included), as RFC 9380's is_square. */
static uint64_t fe_is_square(const struct fe *a)
{
	struct fe power;
	uint64_t square;

	fe_pow(&power, a, half_p_minus_1);
	square = fe_equals_small(&power, 1) | fe_equals_small(a, 0);
	OPENSSL_cleanse(&power, sizeof(power));
	return square;
}

/* g(x) = x^3 + J x^2 + x, the right-hand side of Curve25519 (K = 1). */
static void curve_rhs(struct fe *out, const struct fe *x, const struct fe *j)
{
	struct fe t;

	fe_add(&t, x, j);               /* x + J */
	fe_mul(&t, &t, x);              /* x^2 + J x */
	fe_set(out, 1);
	fe_add(&t, &t, out);            /* x^2 + J x + 1 */
	fe_mul(out, &t, x);
	OPENSSL_cleanse(&t, sizeof(t));
}

void elligator2_map(const uint8_t input[32], uint8_t u[32])
{
	struct fe r, j, minus_j, zero, one, t, x1, x2, gx1, x;
	uint64_t degenerate;

	fe_from_bytes(&r, input);
	fe_set(&j, 486662);
	fe_set(&zero, 0);
	fe_set(&one, 1);
	fe_sub(&minus_j, &zero, &j);
	/* x1 = -J / (1 + 2 r^2); inv0(0) = 0, and then x1 = -J. */
	fe_square(&t, &r);
	fe_add(&t, &t, &t);
	fe_add(&t, &t, &one);
	degenerate = fe_equals_small(&t, 0);
	fe_pow(&t, &t, p_minus_2);
	fe_mul(&x1, &minus_j, &t);
	fe_select(&x1, &x1, &minus_j, degenerate);
	/* x2 = -x1 - J: the other candidate, on the curve when x1 is not. */
	fe_sub(&x2, &minus_j, &x1);
	curve_rhs(&gx1, &x1, &j);
	fe_select(&x, &x2, &x1, fe_is_square(&gx1));
	fe_to_bytes(u, &x);
	OPENSSL_cleanse(&r, sizeof(r));
	OPENSSL_cleanse(&t, sizeof(t));
	OPENSSL_cleanse(&x1, sizeof(x1));
	OPENSSL_cleanse(&x2, sizeof(x2));
	OPENSSL_cleanse(&gx1, sizeof(gx1));
	OPENSSL_cleanse(&x, sizeof(x));
}

/*
 * Doubling on the x line in projective (X : Z), Montgomery's formula:
 * X2 = (X^2 - Z^2)^2, Z2 = 4 X Z (X^2 + J X Z + Z^2). For tests only.
 */
static void x_double(struct fe *x, struct fe *z, const struct fe *j)
{
	struct fe xx, zz, xz, t, s;

	fe_square(&xx, x);
	fe_square(&zz, z);
	fe_mul(&xz, x, z);
	fe_sub(&t, &xx, &zz);
	fe_mul(&s, &xz, j);
	fe_add(&s, &s, &xx);
	fe_add(&s, &s, &zz);
	fe_add(&xz, &xz, &xz);
	fe_add(&xz, &xz, &xz);
	fe_square(x, &t);
	fe_mul(z, &xz, &s);
}

void elligator2_times_eight(const uint8_t u[32], uint8_t out[32])
{
	struct fe x, z, j, inverse;
	int i;

	fe_from_bytes(&x, u);
	fe_set(&z, 1);
	fe_set(&j, 486662);
	for (i = 0; i < 3; i++)
		x_double(&x, &z, &j);
	fe_pow(&inverse, &z, p_minus_2);        /* the point at infinity (Z = 0) gives 0 */
	fe_mul(&x, &x, &inverse);
	fe_to_bytes(out, &x);
}
