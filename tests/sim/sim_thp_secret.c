/*
 * The simulated device's THP secrets and credentials (specification,
 * "Credential phase"). The firmware keeps a random device secret until it
 * is wiped, and derives from it its static key (BIP-32 curve25519,
 * m/0x80544850) and the credential MAC key (SLIP-21). The simulator
 * derives its secret from the device id (or --thp-secret), so that a
 * restarted simulator keeps its keys as a device does, another
 * --thp-secret plays a wiped device (new keys), another
 * --thp-credential-counter a device that forgot all its hosts (the same
 * static key, its credentials refused); the derivations themselves need only
 * be one-way here, no host ever sees them.
 *
 * A credential is ThpPairingCredential{metadata, HMAC-SHA-256(key,
 * ThpAuthenticatedCredentialData{host key, metadata})}: names longer than
 * 80 bytes together are cut to 40 bytes each, as the firmware does, so that
 * it fits 128 bytes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim_device.h"
#include "sim_thp.h"
#include "trezor.pb-c.h"

#define NAME_CUT 40

void sim_thp_secret_derive(struct sim_device *device)
{
	struct sim_thp *thp = device->thp;
	static const char label[] = "trezor-sim THP device secret";
	const char *source = device->options.thp_secret != NULL ? device->options.thp_secret
								 : device->device_id;
	uint8_t secret[32];
	struct thp_chunk parts[2] = { { label, sizeof(label) - 1 }, { source, strlen(source) } };
	static const char node[] = "\0THP";
	uint8_t key_label[33 + 4] = "THP credential authentication key";
	uint32_t counter = (uint32_t)device->options.thp_credential_counter;

	thp_sha256(parts, 2, secret);
	parts[0] = (struct thp_chunk){ secret, sizeof(secret) };
	parts[1] = (struct thp_chunk){ node, 4 };
	thp_sha256(parts, 2, thp->static_private);
	thp_x25519_public(thp->static_private, thp->static_public);
	/* The counter, four bytes big-endian, as the firmware's SLIP-21 path ends. */
	key_label[33] = (uint8_t)(counter >> 24);
	key_label[34] = (uint8_t)(counter >> 16);
	key_label[35] = (uint8_t)(counter >> 8);
	key_label[36] = (uint8_t)counter;
	thp_hmac_sha256(secret, sizeof(secret), key_label, sizeof(key_label), thp->credential_key);
	OPENSSL_cleanse(secret, sizeof(secret));
}

/* At most `limit` bytes of UTF-8 text, never half a character. */
static void cut_utf8(char *text, size_t limit)
{
	size_t length = strlen(text);

	if (length <= limit)
		return;
	while (limit > 0 && ((unsigned char)text[limit] & 0xC0) == 0x80)
		limit--;
	text[limit] = '\0';
}

/* HMAC over the authenticated data: the host key and the metadata. */
static bool credential_mac(struct sim_device *device, const uint8_t host_static[32],
			   Tz__ThpCredentialMetadata *metadata, uint8_t mac[32])
{
	Tz__ThpAuthenticatedCredentialData data = TZ__THP_AUTHENTICATED_CREDENTIAL_DATA__INIT;
	uint8_t packed[256];
	size_t length;

	data.host_static_public_key.data = (uint8_t *)host_static;
	data.host_static_public_key.len = 32;
	data.cred_metadata = metadata;
	length = protobuf_c_message_get_packed_size(&data.base);
	if (length > sizeof(packed))
		return false;
	protobuf_c_message_pack(&data.base, packed);
	thp_hmac_sha256(device->thp->credential_key, 32, packed, length, mac);
	return true;
}

size_t sim_thp_issue_credential(struct sim_device *device, const uint8_t host_static[32],
				const struct sim_thp_host *host, uint8_t out[128])
{
	Tz__ThpCredentialMetadata metadata = TZ__THP_CREDENTIAL_METADATA__INIT;
	Tz__ThpPairingCredential credential = TZ__THP_PAIRING_CREDENTIAL__INIT;
	char host_name[SIM_THP_NAME_MAX + 1], app_name[SIM_THP_NAME_MAX + 1];
	uint8_t mac[32];
	size_t length;

	snprintf(host_name, sizeof(host_name), "%s", host->host_name);
	snprintf(app_name, sizeof(app_name), "%s", host->app_name);
	if (strlen(host_name) + strlen(app_name) > 2 * NAME_CUT)
		cut_utf8(host_name, NAME_CUT);
	if (strlen(host_name) + strlen(app_name) > 2 * NAME_CUT)
		cut_utf8(app_name, NAME_CUT);
	metadata.host_name = host_name;
	metadata.app_name = app_name;
	metadata.has_autoconnect = true;
	metadata.autoconnect = host->autoconnect;
	if (!credential_mac(device, host_static, &metadata, mac))
		return 0;
	credential.cred_metadata = &metadata;
	credential.mac.data = mac;
	credential.mac.len = sizeof(mac);
	length = protobuf_c_message_get_packed_size(&credential.base);
	if (length > 128)
		return 0;
	protobuf_c_message_pack(&credential.base, out);
	return length;
}

bool sim_thp_check_credential(struct sim_device *device, const uint8_t host_static[32],
			      const uint8_t *credential, size_t length, struct sim_thp_host *host)
{
	Tz__ThpPairingCredential *decoded = tz__thp_pairing_credential__unpack(NULL, length,
									      credential);
	uint8_t mac[32];
	bool valid = false;

	if (decoded == NULL)
		return false;
	if (decoded->cred_metadata != NULL && decoded->mac.len == sizeof(mac) &&
	    credential_mac(device, host_static, decoded->cred_metadata, mac) &&
	    CRYPTO_memcmp(mac, decoded->mac.data, sizeof(mac)) == 0) {
		snprintf(host->host_name, sizeof(host->host_name), "%s",
			 decoded->cred_metadata->host_name);
		snprintf(host->app_name, sizeof(host->app_name), "%s",
			 decoded->cred_metadata->app_name);
		host->autoconnect = decoded->cred_metadata->has_autoconnect &&
				    decoded->cred_metadata->autoconnect;
		valid = true;
	}
	tz__thp_pairing_credential__free_unpacked(decoded, NULL);
	return valid;
}
