/*
 * The conversation engine behind trezor.c: send one request, answer what the
 * device interposes (ButtonRequest, PIN, passphrase), and return the reply
 * of the expected type or a typed error. Internal to the device client.
 */
#ifndef TREZOR_PKCS11_TREZOR_CALL_H
#define TREZOR_PKCS11_TREZOR_CALL_H

#include <protobuf-c/protobuf-c.h>

#include "trezor.h"

/* Set device->error from a format; returns status for tail calls. */
enum trezor_status trezor_fail(struct trezor_device *device, enum trezor_status status,
			       const char *format, ...) __attribute__((format(printf, 3, 4)));

/*
 * Send request (message type `type`) and wait for a reply of type
 * `expected`, which is unpacked with `descriptor` into *reply (free it with
 * protobuf_c_message_free_unpacked). A Failure becomes a status. A device
 * that speaks only THP is connected (and paired) first; see trezor_call.c.
 */
enum trezor_status trezor_call(struct trezor_device *device, uint16_t type,
			       const ProtobufCMessage *request, uint16_t expected,
			       const ProtobufCMessageDescriptor *descriptor,
			       ProtobufCMessage **reply);

/* The same exchange on the link as it stands: THP's pairing and credential phase. */
enum trezor_status trezor_exchange(struct trezor_device *device, uint16_t type,
				   const ProtobufCMessage *request, uint16_t expected,
				   const ProtobufCMessageDescriptor *descriptor,
				   ProtobufCMessage **reply);

#endif
