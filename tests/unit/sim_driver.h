/*
 * Driving the simulator's state machine from the sim suites (test_sim*.c):
 * one device, requests in, replies asserted to the byte. Every helper fails
 * the test on anything unexpected.
 */
#ifndef TREZOR_TEST_SIM_DRIVER_H
#define TREZOR_TEST_SIM_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "sim_device.h"
#include "trezor.pb-c.h"

#define MNEMONIC_ALL "all all all all all all all all all all all all"
#define MNEMONIC_ALCOHOL "alcohol woman abuse must during monitor noble actual mixed trade " \
			 "anger aisle"

/* HACKING 5.6 */
#define SSH_VECTOR_CHALLENGE "cd8552569d6e4509266ef137584d1e62c7579b5b8ed69bbafa4b864c6521e7c2"
#define SSH_VECTOR_KEY "0373f21a3da3d0e96fc2189f81dd826658c3d76b2d55bd1da349bc6c3573b13ae4"
#define SSH_VECTOR_SIGNATURE "005122cebabb852cdd32103b602662afa88e54c0c0c1b38d7099c64dcd49efe9" \
			     "08288114e66ed2d8c82f23a70b769a4db723173ec53840c08aafb840d3f09a18d3"
#define GPG_VECTOR_KEY "02b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb"
#define GPG_VECTOR_SIGNATURE "009a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a" \
			     "942cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03"
#define SSH_ALICE_KEY "0369b2c77f97a1cd81e520ed4b56d55239890776bd5674ad00ad4ddcb3b3287be2"

/* alice's gpg key in two passphrase wallets (an independent derivation). */
#define TREZOR_WALLET_KEY "034ac59667fe5422afb24bd3e5822d93de17f03f81be2e5531f850e3259f15d68e"
#define DEVICE_WALLET_KEY "0351f2eb7ba93f98fbb187f6c00aae773acd5333176e7975928dc78df0c5f43009"

#define ACTION_CANCELLED TZ__FAILURE_TYPE__Failure_ActionCancelled
#define DATA_ERROR TZ__FAILURE_TYPE__Failure_DataError
#define BUTTON_OTHER TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other
#define BUTTON_PROTECT_CALL TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall

extern struct sim_device device;
extern const uint32_t gpg_alice_path[5];

/* Options of a plain device: the mnemonic, label "Test", this model, no PIN. */
struct sim_options sim_test_options(const char *mnemonic, enum sim_model model);

/* Set up the device (sim_device_init must succeed). */
void start_with(const struct sim_options *options);
void start_device(const char *mnemonic, enum sim_model model);

/* A device with a session open (Initialize answered), as a host starts. */
void start_session(const char *mnemonic, enum sim_model model);
void stop_device(void);

/* Hand the device one request at time `now` (0 by default); replies wait in the outbox. */
void send_at(uint16_t type, const ProtobufCMessage *message, int64_t now);
void send_request(uint16_t type, const ProtobufCMessage *message);
void send_debug(uint16_t type, const ProtobufCMessage *message);

/* A raw payload of this type (which may be no valid protobuf). */
void send_raw(uint16_t type, const uint8_t *payload, size_t length);

/* One report as it comes, on the main interface. */
void send_report(const uint8_t report[64]);

/* The outbox must hold exactly one reply of this type; returns it unpacked. */
ProtobufCMessage *only_reply(uint16_t type, const ProtobufCMessageDescriptor *descriptor);
void assert_only(uint16_t type);
void assert_nothing(void);
void assert_failure(Tz__FailureType code, const char *text);
/* A Failure without a message field. */
void assert_failure_without_text(Tz__FailureType code);
void assert_success(const char *text);
/* name NULL: none; pages 0: none. */
void assert_button(Tz__ButtonRequestType code, const char *name, uint32_t pages);
void assert_button_request(Tz__ButtonRequestType code);
void assert_bytes(const ProtobufCBinaryData *data, const char *hex);
void assert_public_key(const char *hex);
void assert_signed(const char *key_hex, const char *signature_hex);
/* Features (only reply); the caller frees it. */
Tz__Features *features_reply(void);

/* Requests */
Tz__Features *initialize(const uint8_t *session_id, size_t length);
void initialize_ok(void);
void get_features(void);
void press_button(void);
void cancel(void);
void lock_device(void);
void end_session(void);
void send_pin(const char *positions);
void send_passphrase(const char *passphrase, bool on_device);
void request_public_key(const uint32_t *path, size_t depth, const char *curve);
void request_signature(const char *proto, const char *user, const char *host, uint32_t index,
		       const uint8_t *challenge, size_t challenge_len);
void request_signature_on(const char *proto, const char *curve, const uint8_t *challenge,
			  size_t challenge_len);
void request_address(const char *coin, const uint32_t *path, size_t depth, bool show);
void decide(bool yes, const char *input);

/* The 32 bytes 0xa0 to 0xbf. */
void gpg_challenge(uint8_t challenge[32]);

/* alice's gpg signature of the 0xa0..0xbf challenge, its ProtectCall pressed. */
void sign_alice(void);

/* Positions (keypad 7 8 9 / 4 5 6 / 1 2 3) that spell `pin` in the matrix shown. */
void positions_for(const char *pin, char *positions);

/* A device with a PIN (matrix seed 7), maybe passphrase protection. */
void start_protected(enum sim_model model, const char *pin, bool passphrase,
		     const char *device_passphrase);

#endif
