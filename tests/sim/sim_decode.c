/*
 * The Trezor One's nanopb decode errors. See sim_decode.h.
 *
 * The rules follow nanopb 0.4 as the Trezor One builds it (16-bit field
 * sizes, UTF-8 validation): tags and lengths are 32-bit varints, bools too;
 * uint32 and enum fields are 64-bit varints that must fit 32 bits; a
 * string needs room for its terminating NUL; a bytes field is a 16-bit
 * length and the bytes, so its room is rounded up to an even size (a field
 * of 33 bytes also takes 34); unknown fields are skipped; required fields
 * are checked at the end of each message.
 */
#include "config.h"

#include "sim_decode.h"

#include <string.h>

#include "messages.h"

enum rule_kind {
	RULE_BOOL,
	RULE_UINT32,                    /* uint32 and the (unsigned) enums */
	RULE_STRING,
	RULE_BYTES,
	RULE_MESSAGE,
};

struct message_rule;

struct field_rule {
	uint32_t number;
	enum rule_kind kind;
	uint32_t size;                  /* nanopb's max_size (a string's counts the NUL) */
	uint16_t max_count;             /* repeated fields: the array's room; 0 otherwise */
	bool required;
	const struct message_rule *message;
};

struct message_rule {
	const struct field_rule *fields;
	size_t count;
};

#define RULES(name, ...) \
	static const struct field_rule name##_fields[] = { __VA_ARGS__ }; \
	static const struct message_rule name = { name##_fields, \
		sizeof(name##_fields) / sizeof(name##_fields[0]) }

/* Field tables from the firmware's messages-*.proto and legacy .options files. */
static const struct message_rule empty = { NULL, 0 };

RULES(hd_node,
      { 1, RULE_UINT32, 0, 0, true, NULL },             /* depth */
      { 2, RULE_UINT32, 0, 0, true, NULL },             /* fingerprint */
      { 3, RULE_UINT32, 0, 0, true, NULL },             /* child_num */
      { 4, RULE_BYTES, 32, 0, true, NULL },             /* chain_code */
      { 5, RULE_BYTES, 32, 0, false, NULL },            /* private_key */
      { 6, RULE_BYTES, 33, 0, true, NULL });            /* public_key */
RULES(hd_node_path,
      { 1, RULE_MESSAGE, 0, 0, true, &hd_node },        /* node */
      { 2, RULE_UINT32, 0, 8, false, NULL });           /* address_n */
RULES(multisig,
      { 1, RULE_MESSAGE, 0, 15, false, &hd_node_path }, /* pubkeys */
      { 2, RULE_BYTES, 73, 15, false, NULL },           /* signatures */
      { 3, RULE_UINT32, 0, 0, true, NULL },             /* m */
      { 4, RULE_MESSAGE, 0, 15, false, &hd_node },      /* nodes */
      { 5, RULE_UINT32, 0, 8, false, NULL },            /* address_n */
      { 6, RULE_UINT32, 0, 0, false, NULL });           /* pubkeys_order */
RULES(identity,
      { 1, RULE_STRING, 9, 0, false, NULL },            /* proto */
      { 2, RULE_STRING, 64, 0, false, NULL },           /* user */
      { 3, RULE_STRING, 64, 0, false, NULL },           /* host */
      { 4, RULE_STRING, 6, 0, false, NULL },            /* port */
      { 5, RULE_STRING, 256, 0, false, NULL },          /* path */
      { 6, RULE_UINT32, 0, 0, false, NULL });           /* index */
RULES(initialize,
      { 1, RULE_BYTES, 32, 0, false, NULL },            /* session_id */
      { 2, RULE_BOOL, 0, 0, false, NULL },              /* _skip_passphrase */
      { 3, RULE_BOOL, 0, 0, false, NULL });             /* derive_cardano */
RULES(ping,
      { 1, RULE_STRING, 256, 0, false, NULL },          /* message */
      { 2, RULE_BOOL, 0, 0, false, NULL });             /* button_protection */
RULES(get_public_key,
      { 1, RULE_UINT32, 0, 8, false, NULL },            /* address_n */
      { 2, RULE_STRING, 32, 0, false, NULL },           /* ecdsa_curve_name */
      { 3, RULE_BOOL, 0, 0, false, NULL },              /* show_display */
      { 4, RULE_STRING, 21, 0, false, NULL },           /* coin_name */
      { 5, RULE_UINT32, 0, 0, false, NULL },            /* script_type */
      { 6, RULE_BOOL, 0, 0, false, NULL });             /* ignore_xpub_magic */
RULES(get_address,
      { 1, RULE_UINT32, 0, 8, false, NULL },            /* address_n */
      { 2, RULE_STRING, 21, 0, false, NULL },           /* coin_name */
      { 3, RULE_BOOL, 0, 0, false, NULL },              /* show_display */
      { 4, RULE_MESSAGE, 0, 0, false, &multisig },      /* multisig */
      { 5, RULE_UINT32, 0, 0, false, NULL },            /* script_type */
      { 6, RULE_BOOL, 0, 0, false, NULL },              /* ignore_xpub_magic */
      { 7, RULE_BOOL, 0, 0, false, NULL });             /* chunkify */
RULES(pin_matrix_ack,
      { 1, RULE_STRING, 51, 0, true, NULL });           /* pin */
RULES(passphrase_ack,                                   /* 2, _state, is ignored */
      { 1, RULE_STRING, 51, 0, false, NULL },           /* passphrase */
      { 3, RULE_BOOL, 0, 0, false, NULL });             /* on_device */
RULES(sign_identity,
      { 1, RULE_MESSAGE, 0, 0, true, &identity },       /* identity */
      { 2, RULE_BYTES, 512, 0, false, NULL },           /* challenge_hidden */
      { 3, RULE_STRING, 256, 0, false, NULL },          /* challenge_visual */
      { 4, RULE_STRING, 32, 0, false, NULL });          /* ecdsa_curve_name */
RULES(get_ecdh_session_key,
      { 1, RULE_MESSAGE, 0, 0, true, &identity },       /* identity */
      { 2, RULE_BYTES, 65, 0, true, NULL },             /* peer_public_key */
      { 3, RULE_STRING, 32, 0, false, NULL });          /* ecdsa_curve_name */
RULES(debug_link_decision,                              /* 4 and 5, x and y, are ignored */
      { 1, RULE_UINT32, 0, 0, false, NULL },            /* button */
      { 2, RULE_UINT32, 0, 0, false, NULL },            /* swipe */
      { 3, RULE_STRING, 33, 0, false, NULL },           /* input */
      { 6, RULE_BOOL, 0, 0, false, NULL },              /* wait */
      { 7, RULE_UINT32, 0, 0, false, NULL },            /* hold_ms */
      { 8, RULE_UINT32, 0, 0, false, NULL },            /* physical_button */
      { 9, RULE_UINT32, 0, 0, false, NULL });           /* touch_event_type */
RULES(debug_link_get_state,
      { 1, RULE_BOOL, 0, 0, false, NULL },              /* wait_word_list */
      { 2, RULE_BOOL, 0, 0, false, NULL },              /* wait_word_pos */
      { 3, RULE_UINT32, 0, 0, false, NULL },            /* wait_layout */
      { 4, RULE_BOOL, 0, 0, false, NULL });             /* return_empty_state */

static const struct message_rule *rule_of(uint16_t type)
{
	switch (type) {
	case MSG_INITIALIZE: return &initialize;
	case MSG_PING: return &ping;
	case MSG_GET_PUBLIC_KEY: return &get_public_key;
	case MSG_PIN_MATRIX_ACK: return &pin_matrix_ack;
	case MSG_CANCEL:
	case MSG_LOCK_DEVICE:
	case MSG_BUTTON_ACK:
	case MSG_GET_FEATURES:
	case MSG_END_SESSION: return &empty;
	case MSG_GET_ADDRESS: return &get_address;
	case MSG_PASSPHRASE_ACK: return &passphrase_ack;
	case MSG_SIGN_IDENTITY: return &sign_identity;
	case MSG_GET_ECDH_SESSION_KEY: return &get_ecdh_session_key;
	case MSG_DEBUG_LINK_DECISION: return &debug_link_decision;
	case MSG_DEBUG_LINK_GET_STATE: return &debug_link_get_state;
	default: return NULL;
	}
}

bool sim_decode_known(uint16_t type)
{
	return rule_of(type) != NULL;
}

/* ---- the input, as nanopb reads it ------------------------------------------ */

struct input {
	const uint8_t *next;
	size_t left;
};

enum wire_type {
	WT_VARINT = 0,
	WT_64BIT = 1,
	WT_STRING = 2,
	WT_32BIT = 5,
};

static const char *read_byte(struct input *in, uint8_t *byte)
{
	if (in->left == 0)
		return "end-of-stream";
	*byte = *in->next++;
	in->left--;
	return NULL;
}

static const char *skip_bytes(struct input *in, uint64_t count)
{
	if (in->left < count)
		return "end-of-stream";
	in->next += count;
	in->left -= (size_t)count;
	return NULL;
}

/*
 * A 32-bit varint (tags, lengths, bools): bytes past bit 31 may only
 * continue it with zeros, or with 0xff sign extension of a negative value.
 */
static const char *read_varint32(struct input *in, uint32_t *value)
{
	unsigned bitpos = 7;
	uint8_t byte;
	const char *error = read_byte(in, &byte);

	if (error != NULL)
		return error;
	*value = byte & 0x7f;
	while (byte & 0x80) {
		if ((error = read_byte(in, &byte)) != NULL)
			return error;
		if (bitpos >= 32) {
			uint8_t extension = bitpos < 63 ? 0xff : 0x01;
			bool valid = (byte & 0x7f) == 0 || ((*value >> 31) != 0 && byte == extension);

			if (bitpos >= 64 || !valid)
				return "varint overflow";
		} else {
			*value |= (uint32_t)(byte & 0x7f) << bitpos;
		}
		bitpos += 7;
	}
	/* The fifth byte holds only 4 more bits. */
	if (bitpos == 35 && (byte & 0x70) != 0)
		return "varint overflow";
	return NULL;
}

/* A 64-bit varint: at most 10 bytes. */
static const char *read_varint64(struct input *in, uint64_t *value)
{
	unsigned bitpos = 0;
	uint8_t byte;
	const char *error;

	*value = 0;
	do {
		if (bitpos >= 64)
			return "varint overflow";
		if ((error = read_byte(in, &byte)) != NULL)
			return error;
		*value |= (uint64_t)(byte & 0x7f) << bitpos;
		bitpos += 7;
	} while (byte & 0x80);
	return NULL;
}

static const char *skip_field(struct input *in, unsigned wire_type)
{
	uint32_t length;
	uint8_t byte;
	const char *error;

	switch (wire_type) {
	case WT_VARINT:
		do {
			if ((error = read_byte(in, &byte)) != NULL)
				return error;
		} while (byte & 0x80);
		return NULL;
	case WT_64BIT:
		return skip_bytes(in, 8);
	case WT_STRING:
		if ((error = read_varint32(in, &length)) != NULL)
			return error;
		return skip_bytes(in, length);
	case WT_32BIT:
		return skip_bytes(in, 4);
	default:
		return "invalid wire_type";
	}
}

/* Well-formed UTF-8 up to the first NUL, as nanopb's validator has it. */
static bool valid_utf8(const uint8_t *text, size_t length)
{
	size_t i = 0, need, k;

	while (i < length && text[i] != 0) {
		uint8_t c = text[i];

		if (c < 0x80)
			need = 0;
		else if ((c & 0xe0) == 0xc0 && c >= 0xc2)
			need = 1;
		else if ((c & 0xf0) == 0xe0)
			need = 2;
		else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
			need = 3;
		else
			return false;
		for (k = 1; k <= need; k++)
			if (i + k >= length || (text[i + k] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && text[i + 1] < 0xa0) ||         /* overlong */
		    (c == 0xed && text[i + 1] >= 0xa0) ||        /* surrogate */
		    (c == 0xef && text[i + 1] == 0xbf && (text[i + 2] & 0xfe) == 0xbe) ||
		    (c == 0xf0 && text[i + 1] < 0x90) ||         /* overlong */
		    (c == 0xf4 && text[i + 1] > 0x8f))           /* past U+10FFFF */
			return false;
		i += need + 1;
	}
	return true;
}

static const char *check_message(struct input *in, const struct message_rule *rule, int depth);

/* A length-delimited value: string, bytes or a message of its own. */
static const char *check_delimited(struct input *in, const struct field_rule *field, int depth)
{
	struct input inner;
	uint32_t length;
	const char *error = read_varint32(in, &length);

	if (error != NULL)
		return error;
	switch (field->kind) {
	case RULE_STRING:
		if (length == UINT32_MAX)
			return "size too large";
		if ((uint64_t)length + 1 > field->size)
			return "string overflow";
		inner.next = in->next;
		if ((error = skip_bytes(in, length)) != NULL)
			return error;
		return valid_utf8(inner.next, length) ? NULL : "invalid utf8";
	case RULE_BYTES:
		/* 2 bytes of length, then the bytes, in a struct of even size. */
		if (length > UINT16_MAX || 2 + (uint64_t)length > ((2 + field->size + 1) & ~1u))
			return "bytes overflow";
		return skip_bytes(in, length);
	default:
		if (in->left < length)
			return "parent stream too short";
		inner.next = in->next;
		inner.left = length;
		in->next += length;
		in->left -= length;
		return check_message(&inner, field->message, depth + 1);
	}
}

/* One value of a field whose wire type is not yet checked. */
static const char *check_value(struct input *in, const struct field_rule *field,
			       unsigned wire_type, int depth)
{
	uint32_t small;
	uint64_t value;
	const char *error;

	switch (field->kind) {
	case RULE_BOOL:
		if (wire_type != WT_VARINT)
			return "wrong wire type";
		return read_varint32(in, &small);
	case RULE_UINT32:
		if (wire_type != WT_VARINT)
			return "wrong wire type";
		if ((error = read_varint64(in, &value)) != NULL)
			return error;
		return value > UINT32_MAX ? "integer too large" : NULL;
	default:
		if (wire_type != WT_STRING)
			return "wrong wire type";
		return check_delimited(in, field, depth);
	}
}

/* A packed array: values back to back in one length-delimited block. */
static const char *check_packed(struct input *in, const struct field_rule *field,
				unsigned *count)
{
	struct input block;
	uint32_t length;
	const char *error = read_varint32(in, &length);

	if (error != NULL)
		return error;
	if (in->left < length)
		return "parent stream too short";
	block.next = in->next;
	block.left = length;
	in->next += length;
	in->left -= length;
	while (block.left > 0 && *count < field->max_count) {
		if ((error = check_value(&block, field, WT_VARINT, 0)) != NULL)
			return block.left != 0 ? "array overflow" : error;
		(*count)++;
	}
	return block.left != 0 ? "array overflow" : NULL;
}

static const struct field_rule *find_field(const struct message_rule *rule, uint32_t number,
					   size_t *index)
{
	for (*index = 0; *index < rule->count; (*index)++)
		if (rule->fields[*index].number == number)
			return &rule->fields[*index];
	return NULL;
}

static const char *check_message(struct input *in, const struct message_rule *rule, int depth)
{
	unsigned counts[8] = { 0 };
	bool seen[8] = { false };
	const struct field_rule *field;
	uint32_t tag;
	size_t index;
	const char *error;

	if (depth > 3)                  /* the tables nest three deep at most */
		return "invalid field descriptor";
	while (in->left > 0) {
		if ((error = read_varint32(in, &tag)) != NULL)
			return error;
		if (tag >> 3 == 0)
			return "zero tag";
		field = find_field(rule, tag >> 3, &index);
		if (field == NULL) {
			error = skip_field(in, tag & 7);
		} else if (field->max_count > 0 && (tag & 7) == WT_STRING &&
			   field->kind <= RULE_UINT32) {
			error = check_packed(in, field, &counts[index]);
		} else if (field->max_count > 0 && counts[index]++ >= field->max_count) {
			error = "array overflow";
		} else {
			seen[index] = true;
			error = check_value(in, field, tag & 7, depth);
		}
		if (error != NULL)
			return error;
	}
	for (index = 0; index < rule->count; index++)
		if (rule->fields[index].required && !seen[index])
			return "missing required field";
	return NULL;
}

const char *sim_decode_check(uint16_t type, const uint8_t *payload, size_t length)
{
	const struct message_rule *rule = rule_of(type);
	struct input in = { payload, length };

	if (rule == NULL)
		return NULL;
	return check_message(&in, rule, 0);
}
