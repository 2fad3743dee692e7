/*
 * trezor-sim's command line: the switches that make up the simulated
 * device (struct sim_options) and its sockets, and the usage text.
 */
#ifndef TREZOR_SIM_OPTIONS_H
#define TREZOR_SIM_OPTIONS_H

#include <stdio.h>

#include "sim_device.h"

#define SIM_DEFAULT_PORT 21324
#define SIM_DEFAULT_MNEMONIC "all all all all all all all all all all all all"

/* Fill options and *port from argv: 0 to run, 1 after --help, 2 on a usage error. */
int sim_options_parse(int argc, char **argv, struct sim_options *options, int *port);

void sim_options_usage(FILE *out);

#endif
