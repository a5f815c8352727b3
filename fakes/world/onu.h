/*
 * The ONU: an FS XGS-SFP-ONT-MAC-I (MaxLinear PRX126) in the router's WAN cage,
 * fed by the "Internet" plug with the router. Its PLOAM state machine, its own
 * Linux with an SSH server (the real lab's `ssh onu`, a second busybox sandbox),
 * the soft PON reboot its ubus offers, and HA's sensor.onu_ploam_state.
 *
 * Numbers (fakes/README.md): power on -> Linux and SSH after FL_ONU_LINUX_MS,
 * then the PON stack walks O1.1 (11) -> O2.3 (23) -> O4 (40) -> O5.1 (51) in
 * FL_ONU_PON_O5_MS, so O5 is reached FL_ONU_REGISTER_MS (240 s) after power on;
 * a soft PON reboot (`ubus call gpon reboot`) restarts only the PON stack.
 */
#ifndef FL_ONU_H
#define FL_ONU_H

#include "core/loop.h"

struct fl_world;
struct fl_model_ops;

#define FL_ONU_LINUX_MS (180 * FL_SECOND)  /* power on -> Linux up, SSH, PON stack starts */
#define FL_ONU_PON_O5_MS (60 * FL_SECOND)  /* PON stack (re)start -> PLOAM O5 */
#define FL_ONU_POLL_MS (30 * FL_SECOND)    /* HA reads the PLOAM state this often */
#define FL_ONU_O5 51
#define FL_ONU_SENSOR "sensor.onu_ploam_state"

extern const struct fl_model_ops fl_onu_model;

/* Whether the ONU is in O5 (registered): the WAN can carry traffic. */
int fl_onu_in_o5(const struct fl_world *w);

#endif
