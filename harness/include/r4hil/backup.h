/*
 * The router's files a scenario may change and a lab must get back: the Wi-Fi
 * configuration and the panic gate. Saved in setup, put back in teardown, even
 * after a failure, an error or Ctrl-C.
 */
#ifndef R4HIL_BACKUP_H
#define R4HIL_BACKUP_H

#define HIL_BACKUP_WAIT_MS (5 * 60 * 1000) /* how long teardown waits for SSH to restore */

struct hil_backup;
struct hil_ssh;

/*
 * Read the backed-up files over @ssh. NULL with *err set if the router cannot be
 * read (a missing file is remembered as missing, not an error).
 */
struct hil_backup *hil_backup_take(struct hil_ssh *ssh, char **err);

/* 1 unless nothing was saved. */
int hil_backup_needed(const struct hil_backup *b);

/*
 * Put back every file that differs now (or remove one that did not exist).
 * 0, or -errno with *err set. Files already equal are not written.
 */
int hil_backup_restore(struct hil_backup *b, struct hil_ssh *ssh, char **err);

/* "/etc/config/wireless, /etc/sfp-storm-watch.reboot", for messages. */
const char *hil_backup_paths(const struct hil_backup *b);

void hil_backup_free(struct hil_backup *b); /* NULL-safe */

#endif
