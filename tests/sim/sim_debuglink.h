/*
 * The debug link (debug builds and emulators: a second interface, UDP port
 * + 1 on an emulator): tests read the device's state and press its buttons.
 *
 * DebugLinkGetState -> DebugLinkState on the debug interface: a Trezor One
 * (legacy fsm_msg_debug.h) tells its PIN, the PIN matrix shown (as
 * pinmatrix_get() keeps it: the digit at keypad positions 1 to 9,
 * "XXXXXXXXX" when none is shown), the mnemonic and passphrase protection; a
 * core model (core apps/debug) the mnemonic, its type and passphrase
 * protection, and no matrix. The screen itself (layout, tokens) is not
 * simulated.
 *
 * DebugLinkDecision presses a button (or types text on a core model's
 * keyboard) for the question out; see sim_flow_decide.
 */
#ifndef TREZOR_SIM_DEBUGLINK_H
#define TREZOR_SIM_DEBUGLINK_H

struct sim_device;

void sim_debuglink_send_state(struct sim_device *device);

#endif
