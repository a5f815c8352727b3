/* Services at boot, procd and ujail (model "services"; see services.c). */
#ifndef FL_SERVICES_H
#define FL_SERVICES_H

extern const struct fl_model_ops fl_services_model;

#endif
