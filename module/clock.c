/* Monotonic time. See clock.h. */
#include "config.h"

#include "clock.h"

#include <time.h>

int64_t clock_monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int clock_remaining_ms(int64_t deadline)
{
	int64_t left = deadline - clock_monotonic_ms();

	if (left <= 0)
		return 0;
	if (left > 0x7fffffff)
		return 0x7fffffff;
	return (int)left;
}
