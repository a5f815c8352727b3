#ifndef R4HIL_VERSION_H
#define R4HIL_VERSION_H
#define R4HIL_VERSION "0.1.0"
const char *hil_version(void);
#endif
