/*
 * The Trezor One's protobuf decoder, as far as its answers go.
 *
 * The Trezor One decodes every message with nanopb into fixed-size C
 * structs: a string, bytes field or array that does not fit is an error, and
 * the Failure it answers carries nanopb's own text ("string overflow",
 * "bytes overflow", "array overflow", "wrong wire type", "end-of-stream",
 * ...). protobuf-c, which the simulator decodes with, has no such limits and
 * says only that it failed. So before protobuf-c sees a Trezor One message,
 * this walks the payload against the firmware's field table (numbers, types,
 * limits from its .options files, required fields) in nanopb's order and
 * names the first error nanopb would meet. The walk is bounded by the
 * payload; nesting is at most three levels deep.
 *
 * The core models decode with their own Python code, without such limits:
 * this is for the Trezor One only.
 */
#ifndef TREZOR_SIM_DECODE_H
#define TREZOR_SIM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Does the table know this message type (and so can check it)? */
bool sim_decode_known(uint16_t type);

/*
 * nanopb's error text for this payload of a message type the table knows,
 * or NULL when nanopb decodes it.
 */
const char *sim_decode_check(uint16_t type, const uint8_t *payload, size_t length);

#endif
