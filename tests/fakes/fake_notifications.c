/*
 * fake-notifications: a desktop notification service for tests, on the
 * session bus DBUS_SESSION_BUS_ADDRESS names: it owns
 * org.freedesktop.Notifications and answers Notify and CloseNotification
 * as a desktop does, writing one line per call on stderr:
 *
 *   ready
 *   Notify app=APP replaces=N summary=SUMMARY body=BODY -> ID
 *   CloseNotification ID
 *
 * With --silent it owns the name and answers nothing (a hung desktop).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

static uint32_t last_id;
static bool silent;

static int notify(sd_bus_message *call, void *data, sd_bus_error *error)
{
	const char *app, *icon, *summary, *body;
	uint32_t replaces, id;
	int rc;

	(void)data;
	(void)error;
	rc = sd_bus_message_read(call, "susss", &app, &replaces, &icon, &summary, &body);
	if (rc < 0)
		return rc;
	id = replaces != 0 ? replaces : ++last_id;
	fprintf(stderr, "Notify app=%s replaces=%u summary=%s body=%s -> %u\n", app, replaces,
		summary, body, id);
	return sd_bus_reply_method_return(call, "u", id);
}

static int close_notification(sd_bus_message *call, void *data, sd_bus_error *error)
{
	uint32_t id;
	int rc;

	(void)data;
	(void)error;
	rc = sd_bus_message_read(call, "u", &id);
	if (rc < 0)
		return rc;
	fprintf(stderr, "CloseNotification %u\n", id);
	return sd_bus_reply_method_return(call, "");
}

/* A hung desktop: the calls are taken and never answered. */
static int ignore(sd_bus_message *call, void *data, sd_bus_error *error)
{
	(void)data;
	(void)error;
	fprintf(stderr, "ignored %s\n", sd_bus_message_get_member(call));
	sd_bus_message_ref(call);       /* kept, so no error reply goes out */
	return 1;
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", notify, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("CloseNotification", "u", "", close_notification,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable silent_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", ignore, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("CloseNotification", "u", "", ignore, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	int rc;

	setvbuf(stderr, NULL, _IOLBF, 0);
	silent = argc == 2 && strcmp(argv[1], "--silent") == 0;
	rc = sd_bus_open_user(&bus);
	if (rc >= 0)
		rc = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/Notifications",
					      "org.freedesktop.Notifications",
					      silent ? silent_vtable : vtable, NULL);
	if (rc >= 0)
		rc = sd_bus_request_name(bus, "org.freedesktop.Notifications", 0);
	if (rc < 0) {
		fprintf(stderr, "fake-notifications: %s\n", strerror(-rc));
		return 1;
	}
	fprintf(stderr, "ready\n");
	for (;;) {
		rc = sd_bus_process(bus, NULL);
		if (rc < 0)
			return 1;
		if (rc == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			return 1;
	}
}
