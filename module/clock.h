/* Monotonic milliseconds, for timeouts that wall-clock changes cannot break. */
#ifndef TREZOR_PKCS11_CLOCK_H
#define TREZOR_PKCS11_CLOCK_H

#include <stdint.h>

int64_t clock_monotonic_ms(void);

/* Milliseconds left until deadline (a clock_monotonic_ms value), never below 0. */
int clock_remaining_ms(int64_t deadline);

#endif
